import type { MongoClient } from 'mongodb';
import {
  type ConsumerHandler,
  createConsumerHandler,
} from '../../../../lambda/consumer/createConsumerHandler.js';
import type { SendMessageBatch } from '../../../../lambda/consumer/DeadLetterQueue.js';
import { configDefaults, type LogLevel } from '../../../../lambda/shared/config.js';
import { createLogger } from '../../../../lambda/shared/logger.js';
import { orderDatabase } from '../../../../lambda/shared/mongoClient.js';
import { testConsumerDependencies } from '../../../helpers/consumerHarness.js';
import { HookedOrderStore } from './HookedOrderStore.js';

/** A consumer as one Lambda container builds it, with its order writes observable. */
export interface TestConsumer {
  readonly handler: ConsumerHandler;
  readonly orders: HookedOrderStore;
  /** Its metrics, counted as each record ends (`OrdersStored`, `OrdersRejected`…). */
  readonly metrics: ReadonlyMap<string, number>;
}

/** Where a test consumer copies poison records (`POISON_MESSAGES=dead-letter-now`). */
export interface TestDeadLetters {
  /** The consumer's `DLQ_URL`. */
  readonly queueUrl: string;
  readonly sendMessageBatch: SendMessageBatch;
}

/**
 * Builds the real consumer (real config, logger, persistence layer, deadline) on `client`, with
 * the order store swapped for a {@link HookedOrderStore} over the same collection and the same
 * per-invocation deadline. Poison records take the queue's redrive unless `deadLetters` is given.
 */
export const buildTestConsumer = (
  client: MongoClient,
  options: {
    readonly databaseName: string;
    readonly logLevel?: LogLevel;
    readonly deadLetters?: TestDeadLetters;
  },
): TestConsumer => {
  const { deps, metrics } = testConsumerDependencies(client, options.databaseName, {
    logger: createLogger('order-consumer', options.logLevel ?? 'SILENT'),
    ...(options.deadLetters === undefined
      ? {}
      : {
          environment: { DLQ_URL: options.deadLetters.queueUrl },
          sendMessageBatch: options.deadLetters.sendMessageBatch,
        }),
  });
  const orders = new HookedOrderStore({
    db: orderDatabase(client, options.databaseName),
    collectionName: configDefaults.ORDERS_COLLECTION,
    operationTimeoutMs: () => deps.deadline.operationTimeoutMs(),
  });
  return { handler: createConsumerHandler({ ...deps, orders }), orders, metrics };
};
