import type { MongoClient } from 'mongodb';
import { createConsumerDependencies } from '../../../lambda/consumer/createConsumerDependencies.js';
import {
  type ConsumerHandler,
  createConsumerHandler,
} from '../../../lambda/consumer/createConsumerHandler.js';
import { type LogLevel, loadConfig } from '../../../lambda/shared/config.js';
import { createLogger } from '../../../lambda/shared/logger.js';
import type { OrderDocument } from '../../../lambda/shared/orderDocument.js';
import { HookedOrdersRepository } from './HookedOrdersRepository.js';

/** A consumer as one Lambda container builds it, with its order writes observable. */
export interface TestConsumer {
  readonly handler: ConsumerHandler;
  readonly orders: HookedOrdersRepository;
}

/**
 * Builds the real consumer (real config, logger, persistence layer, deadline) on `client`, with
 * the orders repository swapped for a {@link HookedOrdersRepository} over the same collection and
 * the same per-invocation deadline.
 */
export const buildTestConsumer = (
  client: MongoClient,
  options: {
    readonly databaseName: string;
    readonly mongoUri: string;
    readonly logLevel?: LogLevel;
  },
): TestConsumer => {
  const config = loadConfig({
    MONGO_URI: options.mongoUri,
    MONGO_DB_NAME: options.databaseName,
    LOG_LEVEL: options.logLevel ?? 'SILENT',
  });
  const dependencies = createConsumerDependencies(
    config,
    client,
    createLogger('order-consumer', config.logLevel),
  );
  const orders = new HookedOrdersRepository({
    collection: client.db(config.databaseName).collection<OrderDocument>(config.ordersCollection),
    operationTimeoutMs: () => dependencies.deadline.operationTimeoutMs(),
  });
  return { handler: createConsumerHandler({ ...dependencies, orders }), orders };
};
