import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import type { MongoClient } from 'mongodb';
import type { ConsumerHandler } from '../../../../lambda/consumer/createConsumerHandler.js';
import { createLogger } from '../../../../lambda/shared/logger.js';
import { createMongoClient } from '../../../../lambda/shared/mongoClient.js';
import {
  createOrderQueues,
  type OrderQueues,
} from '../../../../local/runtime/createOrderQueues.js';
import {
  EventSourceMappingEmulator,
  type EventSourceMappingStats,
  type InvocationReport,
} from '../../../../local/runtime/EventSourceMappingEmulator.js';
import { queueDepthOf } from '../../../../local/runtime/queueDepth.js';
import { defaultSettings } from '../../../../settings/serviceSettings.js';
import { sendBodies, waitFor } from '../../../helpers/localSqs.js';
import { openTestDatabase, type TestDatabase } from '../../../helpers/testDatabase.js';
import { buildTestConsumer, type TestConsumer } from './buildTestConsumer.js';
import type { InsertHooks } from './HookedOrderStore.js';

/** How the queue and the event source mapping of a scenario are set up. */
export interface QueuedConsumersOptions {
  readonly visibilityTimeoutSeconds: number;
  readonly functionTimeoutMs: number;
  readonly pollers: number;
  readonly batchSize: number;
  /** Receives before the queue moves a message to the DLQ; default the service's setting. */
  readonly maxReceiveCount?: number;
  /**
   * The consumers' `DLQ_URL`, from the queues created: poison records are copied there at once
   * (`dead-letter-now`). Without it they take the queue's redrive.
   */
  readonly deadLetterQueueUrl?: (queues: OrderQueues) => string;
  /** Hooks for the n-th container started (0-based), to stall or observe it. */
  readonly hooksFor?: (containerIndex: number) => InsertHooks;
  /**
   * Containers whose response leaves only after the function timeout, whatever the consumer
   * does: the runtime times the invocation out (a stuck extension, a frozen process).
   */
  readonly respondsTooLate?: (containerIndex: number) => boolean;
}

/** SQS (fauxqs), the service's two queues and the real consumer behind the mapping emulator. */
export interface QueuedConsumers {
  readonly database: TestDatabase;
  readonly sqs: SQSClient;
  readonly sqsEndpoint: string;
  readonly region: string;
  readonly queues: OrderQueues;
  /** Every container's consumer, in start order. */
  readonly consumers: readonly TestConsumer[];
  /** Every invocation, in completion order. */
  readonly reports: readonly InvocationReport[];
  stats(): EventSourceMappingStats;
  /** Sends one message per body; resolves with their message ids. */
  send(bodies: readonly string[]): Promise<string[]>;
  start(): Promise<void>;
  /** Resolves once the main queue holds nothing, visible or in flight. */
  waitUntilDrained(timeoutMs: number): Promise<void>;
  /** Messages in the DLQ. */
  deadLettered(): Promise<number>;
  stop(): Promise<void>;
}

const depth = async (sqs: SQSClient, queueUrl: string): Promise<number> => {
  const { visible, inFlight, delayed } = await queueDepthOf(sqs, queueUrl);
  return visible + inFlight + delayed;
};

/**
 * Starts what a scenario with a real queue needs: fauxqs with the order queue and its DLQ
 * (redrive after `maxReceiveCount` receives, the service's by default), and the
 * {@link EventSourceMappingEmulator} invoking one real consumer per container, each with its own
 * MongoDB client.
 */
export const startQueuedConsumers = async (
  label: string,
  options: QueuedConsumersOptions,
): Promise<QueuedConsumers> => {
  const database = await openTestDatabase(label);
  const fauxqs: FauxqsServer = await startFauxqs({ port: 0, logger: false });
  const region = 'us-east-1';
  const sqsEndpoint = `http://127.0.0.1:${fauxqs.port}`;
  const sqs = new SQSClient({
    endpoint: sqsEndpoint,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const suffix = randomUUID().slice(0, 8);
  const queues = await createOrderQueues(sqs, {
    queueName: `${defaultSettings.queueName}-${suffix}`,
    deadLetterQueueName: `${defaultSettings.deadLetterQueueName}-${suffix}`,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
    maxReceiveCount: options.maxReceiveCount ?? defaultSettings.maxReceiveCount,
    deadLetterRetentionSeconds: defaultSettings.deadLetterRetentionSeconds,
  });
  const consumers: TestConsumer[] = [];
  const clients: MongoClient[] = [];
  const reports: InvocationReport[] = [];
  const emulator = new EventSourceMappingEmulator({
    sqs,
    queueUrl: queues.queueUrl,
    queueArn: queues.queueArn,
    region,
    batchSize: options.batchSize,
    maxBatchingWindowSeconds: 0,
    functionTimeoutMs: options.functionTimeoutMs,
    pollers: options.pollers,
    waitTimeSeconds: 1,
    logger: createLogger('fault-test-runtime', 'SILENT'),
    onInvocation: (report) => reports.push(report),
    createContainer: async () => {
      const client = createMongoClient(database.uri, {
        maxPoolSize: defaultSettings.mongoMaxPoolSize,
        appName: `fault-test-${label}`,
      });
      clients.push(client);
      const consumer = buildTestConsumer(client, {
        databaseName: database.databaseName,
        ...(options.deadLetterQueueUrl === undefined
          ? {}
          : {
              deadLetters: {
                queueUrl: options.deadLetterQueueUrl(queues),
                sendMessageBatch: (input) => sqs.send(new SendMessageBatchCommand(input)),
              },
            }),
      });
      const index = consumers.length;
      consumer.orders.hooks = options.hooksFor?.(index) ?? {};
      consumers.push(consumer);
      const handler: ConsumerHandler = options.respondsTooLate?.(index)
        ? async (event, context) => {
            const response = await consumer.handler(event, context);
            await sleep(context.getRemainingTimeInMillis() + 500);
            return response;
          }
        : consumer.handler;
      return { handler, dispose: () => client.close() };
    },
  });
  return {
    database,
    sqs,
    sqsEndpoint,
    region,
    queues,
    consumers,
    reports,
    stats: () => emulator.stats(),
    send: (bodies) => sendBodies(sqs, queues.queueUrl, bodies),
    start: () => emulator.start(),
    waitUntilDrained: (timeoutMs) =>
      waitFor(
        'the order queue to be drained',
        async () => (await depth(sqs, queues.queueUrl)) === 0,
        timeoutMs,
      ),
    deadLettered: () => depth(sqs, queues.deadLetterQueueUrl),
    stop: async () => {
      await emulator.stop();
      await Promise.all(clients.map((client) => client.close()));
      sqs.destroy();
      await fauxqs.stop();
      await database.close();
    },
  };
};
