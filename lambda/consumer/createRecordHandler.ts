import { setTimeout } from 'node:timers/promises';
import type { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import { DependencyUnavailableError, InvalidOrderError } from '../shared/errors.js';
import type { InvocationDeadline } from '../shared/InvocationDeadline.js';
import type { OrdersRepository } from '../shared/OrdersRepository.js';
import { toOrderDocument } from '../shared/orderDocument.js';
import { type OrderEvent, parseOrderEvent } from '../shared/orderEvent.js';
import { classifyFailure } from './classifyFailure.js';

/** What a successfully handled record reports (and what the idempotency record keeps). */
export interface StoredOrder {
  readonly orderId: string;
  /** `created`: this delivery wrote the order; `already-stored`: an earlier one (or the legacy service) did. */
  readonly outcome: 'created' | 'already-stored';
}

/** Dependencies of the record step. */
export interface RecordHandlerDependencies {
  readonly logger: Logger;
  readonly orders: OrdersRepository;
  readonly persistenceStore: BasePersistenceLayer;
  readonly idempotencyConfig: IdempotencyConfig;
  /** Time left for this invocation's database work; retries happen only within it. */
  readonly deadline?: Pick<InvocationDeadline, 'operationTimeoutMs'>;
  readonly now?: () => Date;
}

// Pauses before storing again after MongoDB failed us (a reset, a refused connection, a failover):
// a retry inside the invocation spares the message a redelivery, and with it one of the receives
// that would otherwise carry a valid order towards the DLQ during a long outage.
const RETRY_DELAYS_MS = [200, 800];
// A retry is worth starting only with this much time left after its pause.
const MIN_ATTEMPT_MS = 1_000;

/**
 * The record step: SQS record → {@link OrderEvent} → order document → exactly one write.
 *
 * Idempotency is keyed on `order_id` (producers resend with new message ids), with the order's
 * content as the validated payload: the same id with other content is a conflict, never a silent
 * drop. The prefix is fixed so keys survive renaming the function.
 */
export const createRecordHandler = (deps: RecordHandlerDependencies) => {
  const now = deps.now ?? (() => new Date());
  const storeOrderOnce = makeIdempotent(
    async (order: OrderEvent, messageId: string): Promise<StoredOrder> => {
      const result = await deps.orders.insertOnce(
        toOrderDocument(order, { messageId, now: now() }),
      );
      if (result.outcome === 'already-stored' && result.existingStatus !== 'PROCESSED') {
        deps.logger.warn('order already stored by another writer; left unchanged', {
          messageId,
          order_id: order.order_id,
          existingStatus: String(result.existingStatus),
        });
      }
      return { orderId: order.order_id, outcome: result.outcome };
    },
    { persistenceStore: deps.persistenceStore, config: deps.idempotencyConfig, keyPrefix: 'order' },
  );

  const storeWithRetries = async (order: OrderEvent, messageId: string): Promise<StoredOrder> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await storeOrderOnce(order, messageId);
      } catch (error) {
        const failure = classifyFailure(error, order.order_id);
        const delay = RETRY_DELAYS_MS[attempt];
        const left = deps.deadline?.operationTimeoutMs() ?? 0;
        const worthIt = delay !== undefined && left >= delay + MIN_ATTEMPT_MS;
        if (!(failure instanceof DependencyUnavailableError && worthIt)) throw error;
        deps.logger.info('MongoDB failed; retrying the order', {
          messageId,
          order_id: order.order_id,
          error: failure.message,
        });
        await setTimeout(delay);
      }
    }
  };

  return async (record: SQSRecord): Promise<StoredOrder> => {
    let orderId: string | undefined;
    try {
      const order = parseOrderEvent(record.body);
      orderId = order.order_id;
      const stored = await storeWithRetries(order, record.messageId);
      deps.logger.info('order stored', {
        messageId: record.messageId,
        order_id: orderId,
        outcome: stored.outcome,
      });
      return stored;
    } catch (error) {
      const failure = classifyFailure(error, orderId);
      const keys = {
        messageId: record.messageId,
        order_id: orderId,
        reason: failure.reason,
        retryable: failure.retryable,
      };
      if (failure instanceof InvalidOrderError) {
        deps.logger.warn('order rejected', { ...keys, issues: failure.issues });
      } else if (failure.retryable) {
        deps.logger.warn('order not stored; will be retried', { ...keys, error: failure.message });
      } else {
        deps.logger.error('order rejected', { ...keys, error: failure.message });
      }
      throw failure;
    }
  };
};
