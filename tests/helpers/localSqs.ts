import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { vi } from 'vitest';
import { sendMessageBatches } from '../../local/commands/sendMessageBatches.js';
import { createOrderQueues, type OrderQueues } from '../../local/runtime/createOrderQueues.js';

/** An in-process SQS endpoint (fauxqs) on a free port, and a client for it. */
export interface LocalSqs {
  readonly server: FauxqsServer;
  readonly sqs: SQSClient;
  readonly endpoint: string;
  close(): Promise<void>;
}

/** Starts fauxqs on an ephemeral port. */
export const startLocalSqs = async (): Promise<LocalSqs> => {
  const server = await startFauxqs({ port: 0, logger: false });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const sqs = new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return {
    server,
    sqs,
    endpoint,
    close: async () => {
      sqs.destroy();
      await server.stop();
    },
  };
};

/** A fresh queue and DLQ with short timeouts, named uniquely. */
export const createTestQueues = async (
  sqs: SQSClient,
  options: { visibilityTimeoutSeconds: number; maxReceiveCount: number },
): Promise<OrderQueues & { queueName: string; deadLetterQueueName: string }> => {
  const queueName = `orders-${randomUUID().slice(0, 8)}`;
  const deadLetterQueueName = `${queueName}-dlq`;
  const queues = await createOrderQueues(sqs, {
    queueName,
    deadLetterQueueName,
    deadLetterRetentionSeconds: 1_209_600,
    ...options,
  });
  return { ...queues, queueName, deadLetterQueueName };
};

/** Sends bodies, ten per request, and returns their message ids in order; fails if SQS refused any. */
export const sendBodies = async (
  sqs: SQSClient,
  queueUrl: string,
  bodies: readonly string[],
): Promise<string[]> => {
  const { failures, messageIds } = await sendMessageBatches({
    sqs,
    queueUrl,
    bodies,
    concurrency: 1,
  });
  if (failures.length > 0) throw new Error(`SQS refused ${JSON.stringify(failures)}`);
  return messageIds.map((id) => id ?? '');
};

/** Ids of every message a queue holds (visible, in flight or delayed), sorted; inspection only. */
export const messageIdsIn = (server: FauxqsServer, queueName: string): string[] => {
  const state = server.inspectQueue(queueName);
  if (state === undefined) throw new Error(`no queue ${queueName}`);
  return [
    ...state.messages.ready,
    ...state.messages.delayed,
    ...state.messages.inflight.map((entry) => entry.message),
  ]
    .map((message) => message.messageId)
    .sort();
};

/** Waits, with vitest's `vi.waitFor`, until `check` holds; fails naming `what` after `timeoutMs`. */
export const waitFor = (
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> =>
  vi.waitFor(
    async () => {
      if (!(await check())) throw new Error(`still waiting for ${what}`);
    },
    { timeout: timeoutMs, interval: 50 },
  );
