import { setTimeout as sleep } from 'node:timers/promises';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Options of {@link sendMessageBatches}. */
export interface SendMessageBatchesOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly bodies: readonly string[];
  /** Messages per second at most; unbounded when absent. */
  readonly rate?: number;
  /** Batches in flight at once. */
  readonly concurrency?: number;
  /** Called with the number of messages accepted so far. */
  readonly onProgress?: (sent: number) => void;
}

/** A message SQS did not accept, even after retries. */
export interface SendFailure {
  readonly index: number;
  readonly code: string;
}

/** What became of the messages. */
export interface SendResult {
  readonly sent: number;
  readonly failures: readonly SendFailure[];
  /** The id SQS gave each body, in the order of the bodies (`undefined` where it failed). */
  readonly messageIds: readonly (string | undefined)[];
}

const BATCH = 10;
const RETRIES = 3;

/**
 * Sends bodies with SendMessageBatch, ten at a time, several batches in flight, paced to `rate`.
 * Entries SQS rejects for a reason of its own (throttling, internal error) are retried; entries
 * rejected as the sender's fault are reported, not retried. A request that fails outright (the
 * endpoint is unreachable) rejects the whole send: continuing would only repeat the error.
 */
export const sendMessageBatches = async (
  options: SendMessageBatchesOptions,
): Promise<SendResult> => {
  const { bodies, rate } = options;
  // Below ten a second, smaller batches keep the pace even instead of bursts of ten.
  const size = rate === undefined ? BATCH : Math.max(1, Math.min(BATCH, Math.floor(rate)));
  const batches: number[][] = [];
  for (let start = 0; start < bodies.length; start += size) {
    batches.push(
      Array.from({ length: Math.min(size, bodies.length - start) }, (_, i) => start + i),
    );
  }
  const started = Date.now();
  let next = 0;
  let sent = 0;
  const failures: SendFailure[] = [];
  const messageIds: (string | undefined)[] = bodies.map(() => undefined);

  const sendBatch = async (indexes: number[]) => {
    let pending = indexes;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const { Successful = [], Failed = [] } = await options.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: pending.map((index) => ({
            Id: String(index),
            MessageBody: bodies[index] ?? '',
          })),
        }),
      );
      for (const { Id, MessageId } of Successful) messageIds[Number(Id)] = MessageId;
      const retry: number[] = [];
      for (const failed of Failed) {
        const index = Number(failed.Id);
        if (failed.SenderFault || attempt >= RETRIES) {
          failures.push({ index, code: failed.Code ?? 'unknown' });
        } else retry.push(index);
      }
      sent += pending.length - Failed.length;
      options.onProgress?.(sent);
      pending = retry;
      if (retry.length > 0) await sleep(100 * attempt);
    }
  };

  let stopped = false;
  const worker = async () => {
    while (!stopped && next < batches.length) {
      const indexes = batches[next++] as number[];
      if (rate !== undefined) {
        // The first message of this batch is due at index / rate seconds after the start.
        const dueAt = started + ((indexes[0] ?? 0) / rate) * 1000;
        const wait = dueAt - Date.now();
        if (wait > 0) await sleep(wait);
      }
      await sendBatch(indexes).catch((error: unknown) => {
        stopped = true;
        throw error;
      });
    }
  };
  const concurrency = Math.max(1, options.concurrency ?? 8);
  await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
  return { sent, failures, messageIds };
};
