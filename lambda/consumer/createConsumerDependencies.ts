import type { Logger } from '@aws-lambda-powertools/logger';
import type { MongoClient, ServerHeartbeatFailedEvent } from 'mongodb';
import type { ConsumerConfig } from '../shared/config.js';
import { InvocationDeadline } from '../shared/InvocationDeadline.js';
import { MongoOrderStore } from '../shared/MongoOrderStore.js';
import { MongoPersistenceLayer } from '../shared/MongoPersistenceLayer.js';
import { orderDatabase } from '../shared/mongoClient.js';
import { timeLimit } from '../shared/mongoCommands.js';
import { serverKind, TTL_INDEX_ADVICE } from '../shared/serverKind.js';
import { describeSettingFault } from './classifyFailure.js';
import type { ConsumerDependencies, ConsumerMetrics } from './createConsumerHandler.js';
import { DeadLetterQueue, type SendMessageBatch } from './DeadLetterQueue.js';
import { orderIdempotency } from './orderIdempotency.js';

/** What the consumer is built on: its configuration and the clients of one container. */
export interface ConsumerResources {
  readonly config: ConsumerConfig;
  readonly client: MongoClient;
  readonly logger: Logger;
  readonly metrics: ConsumerMetrics;
  /** Sends to SQS; needed when poison messages are dead-lettered at once. */
  readonly sendMessageBatch: SendMessageBatch;
}

// An untrusted certificate shows in the monitor's first heartbeat, while connecting only waits for
// a server until the driver gives up, past the invocation: connecting fails with it at once.
const connectOrFault = (client: MongoClient): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const onFailure = ({ failure }: ServerHeartbeatFailedEvent) => {
      if (describeSettingFault(failure) !== undefined) reject(failure);
    };
    client.on('serverHeartbeatFailed', onFailure);
    client
      .connect()
      .then(resolve, reject)
      .finally(() => client.off('serverHeartbeatFailed', onFailure));
  });

/**
 * Builds the consumer's dependencies on one MongoDB client, every database operation bounded by
 * the same per-invocation deadline. Nothing connects until the first invocation.
 */
export const createConsumerDependencies = ({
  config,
  client,
  logger,
  metrics,
  sendMessageBatch,
}: ConsumerResources): ConsumerDependencies => {
  const db = orderDatabase(client, config.databaseName);
  const deadline = new InvocationDeadline();
  const operationTimeoutMs = () => deadline.operationTimeoutMs();
  const store = new MongoPersistenceLayer({
    db,
    collectionName: config.idempotencyCollection,
    operationTimeoutMs,
    logger,
  });
  const { poisonMessages } = config;
  return {
    logger,
    metrics,
    deadline,
    connect: () => connectOrFault(client),
    ensureIndexes: async () => {
      const kind = await serverKind(db, timeLimit(operationTimeoutMs())).catch(() => undefined);
      await store.ensureIndexes(kind === undefined ? undefined : TTL_INDEX_ADVICE[kind]);
      // The store keeps MongoDB's forms; on FerretDB v1 (the test server) some of their guarantees
      // and all their speed are weaker: say so once per container.
      if (kind === 'ferretdb') {
        logger.warn(
          'the server is FerretDB: conditional updates are not atomic, compound filters and $in are scanned, no TTL index; use MongoDB in production',
        );
      }
    },
    idempotency: orderIdempotency(store, config.idempotencyExpirySeconds),
    orders: new MongoOrderStore({
      db,
      collectionName: config.ordersCollection,
      operationTimeoutMs,
    }),
    ...(poisonMessages.policy === 'dead-letter-now'
      ? {
          deadLetters: new DeadLetterQueue({
            queueUrl: poisonMessages.deadLetterQueueUrl,
            sendMessageBatch,
            timeoutMs: operationTimeoutMs,
          }),
        }
      : {}),
  };
};
