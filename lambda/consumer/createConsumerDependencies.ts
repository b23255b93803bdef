import type { Logger } from '@aws-lambda-powertools/logger';
import type { MongoClient } from 'mongodb';
import type { ConsumerConfig } from '../shared/config.js';
import { InvocationDeadline } from '../shared/InvocationDeadline.js';
import {
  type IdempotencyDocument,
  MongoPersistenceLayer,
} from '../shared/MongoPersistenceLayer.js';
import { OrdersRepository } from '../shared/OrdersRepository.js';
import type { OrderDocument } from '../shared/orderDocument.js';
import type { ConsumerDependencies } from './createConsumerHandler.js';

/**
 * Builds the consumer's dependencies on one MongoDB client. Every database operation is bounded by
 * the same per-invocation deadline.
 */
export const createConsumerDependencies = (
  config: ConsumerConfig,
  client: MongoClient,
  logger: Logger,
): ConsumerDependencies => {
  const db = client.db(config.databaseName);
  const deadline = new InvocationDeadline();
  const operationTimeoutMs = () => deadline.operationTimeoutMs();
  return {
    logger,
    deadline,
    connect: () => client.connect(),
    idempotencyExpirySeconds: config.idempotencyExpirySeconds,
    orders: new OrdersRepository({
      collection: db.collection<OrderDocument>(config.ordersCollection),
      operationTimeoutMs,
    }),
    persistenceStore: new MongoPersistenceLayer({
      collection: db.collection<IdempotencyDocument>(config.idempotencyCollection),
      operationTimeoutMs,
      logger,
    }),
  };
};
