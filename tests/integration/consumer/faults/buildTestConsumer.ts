import type { MongoClient } from 'mongodb';
import {
  type ConsumerHandler,
  createConsumerHandler,
} from '../../../../lambda/consumer/createConsumerHandler.js';
import { configDefaults, type LogLevel } from '../../../../lambda/shared/config.js';
import { createLogger } from '../../../../lambda/shared/logger.js';
import { testConsumerDependencies } from '../../../helpers/consumerHarness.js';
import { HookedOrderStore } from './HookedOrderStore.js';

/** A consumer as one Lambda container builds it, with its order writes observable. */
export interface TestConsumer {
  readonly handler: ConsumerHandler;
  readonly orders: HookedOrderStore;
}

/**
 * Builds the real consumer (real config, logger, persistence layer, deadline) on `client`, with
 * the order store swapped for a {@link HookedOrderStore} over the same collection and the same
 * per-invocation deadline.
 */
export const buildTestConsumer = (
  client: MongoClient,
  options: { readonly databaseName: string; readonly logLevel?: LogLevel },
): TestConsumer => {
  const { deps } = testConsumerDependencies(client, options.databaseName, {
    logger: createLogger('order-consumer', options.logLevel ?? 'SILENT'),
  });
  const orders = new HookedOrderStore({
    db: client.db(options.databaseName),
    collectionName: configDefaults.ORDERS_COLLECTION,
    operationTimeoutMs: () => deps.deadline.operationTimeoutMs(),
  });
  return { handler: createConsumerHandler({ ...deps, orders }), orders };
};
