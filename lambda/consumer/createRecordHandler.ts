import { setTimeout } from 'node:timers/promises';
import { IdempotencyValidationError } from '@aws-lambda-powertools/idempotency';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import {
  causeChain,
  DependencyUnavailableError,
  describeError,
  InternalError,
  InvalidOrderError,
  OrderConflictError,
  type OrderProcessingError,
} from '../shared/errors.js';
import type { InvocationDeadline } from '../shared/InvocationDeadline.js';
import type { OrderStore, StoreOutcome } from '../shared/OrderStore.js';
import { type OrderDocument, orderContent, toOrderDocument } from '../shared/orderDocument.js';
import { claimedOrderId, type OrderEvent, parseOrderEvent } from '../shared/orderEvent.js';
import { classifyFailure } from './classifyFailure.js';
import type { ConsumerMetrics } from './createConsumerHandler.js';
import type { DeadLetterQueue } from './DeadLetterQueue.js';
import { makeOrderIdempotent, type OrderIdempotency } from './orderIdempotency.js';
import { ORDER_METRICS, type OrderMetricName } from './orderMetrics.js';

/** What a record that leaves the queue became. */
export interface RecordResult {
  readonly orderId?: string;
  /**
   * `created`, `already-stored` or `restored` (see {@link StoreOutcome}): its order is stored.
   * `dead-lettered`: no delivery can store it, and its copy with the reason is in the DLQ.
   */
  readonly outcome: StoreOutcome['outcome'] | 'dead-lettered';
}

/** Dependencies of the record step. */
export interface RecordHandlerDependencies {
  readonly logger: Logger;
  readonly metrics: Pick<ConsumerMetrics, 'addMetric'>;
  readonly orders: OrderStore;
  readonly idempotency: OrderIdempotency;
  /** Where poison records go at once; without it they fail until the queue's redrive moves them. */
  readonly deadLetters?: DeadLetterQueue;
  /** Time left for this invocation's database work; retries happen only within it. */
  readonly deadline?: Pick<InvocationDeadline, 'operationTimeoutMs'>;
  /**
   * Pauses before storing again after MongoDB failed, the last one repeated for as long as the
   * invocation's time allows; `[]` never retries. Default 100 ms doubling to 2 s. A server that
   * says how long to wait (`RetryAfterMs`) is waited for instead.
   */
  readonly retryDelaysMs?: readonly number[];
  /** How a pause is waited for; tests pass their own. */
  readonly sleep?: (ms: number) => Promise<unknown>;
  readonly now?: () => Date;
}

// A retry inside the invocation spares the message a redelivery, and with it one of the receives
// that would otherwise carry a valid order towards the DLQ during a long outage. During a failover
// a retry waits in server selection until a primary is elected, so few are made; against a
// throttling server the pauses back off. Records of a batch fail together and pause alike, so
// their retries still share one command per step.
const RETRY_DELAYS_MS = [100, 200, 400, 800, 1_600, 2_000];
// A retry is worth starting only with this much time left after its pause.
const MIN_ATTEMPT_MS = 1_000;

// The wording, log level and metric of each way a record can end.
const STORED: Record<StoreOutcome['outcome'], { message: string; metric: OrderMetricName }> = {
  created: { message: 'order stored', metric: ORDER_METRICS.stored },
  'already-stored': { message: 'order already stored', metric: ORDER_METRICS.alreadyStored },
  restored: { message: 'order restored: its document was gone', metric: ORDER_METRICS.restored },
};

// The innermost error: what actually went wrong, under Powertools' wrappers.
const rootCause = (error: Error): Error =>
  causeChain(error).findLast((cause): cause is Error => cause instanceof Error) ?? error;

// The wording and metric of each way a record can fail.
const failed = (failure: OrderProcessingError): { message: string; metric: OrderMetricName } => {
  if (failure instanceof InvalidOrderError) {
    return { message: 'order rejected: it breaks the contract', metric: ORDER_METRICS.rejected };
  }
  if (failure instanceof OrderConflictError) {
    return { message: 'order conflicts with the stored order', metric: ORDER_METRICS.conflicts };
  }
  if (failure instanceof InternalError) {
    return { message: 'order failed: internal error', metric: ORDER_METRICS.internalErrors };
  }
  return { message: 'order not stored; will be retried', metric: ORDER_METRICS.deferred };
};

/**
 * The record step: SQS record → {@link OrderEvent} → order document → stored exactly once.
 *
 * - The write is idempotent on the `order_id` ({@link OrderIdempotency}), and the orders
 *   collection has the last word: a delivery the idempotency record calls done is checked
 *   against it, and stored again if its document is gone.
 * - MongoDB failures are retried inside the invocation while its time allows.
 * - A record no delivery can store (invalid, conflicting) is copied to the DLQ with its reason and
 *   leaves the queue; if the copy fails it is reported failed, as every other failure is.
 * - Each outcome is logged once, in its own words, and counted.
 */
export const createRecordHandler = (deps: RecordHandlerDependencies) => {
  const now = deps.now ?? (() => new Date());
  const delays = deps.retryDelaysMs ?? RETRY_DELAYS_MS;
  const sleep = deps.sleep ?? ((ms: number) => setTimeout(ms));
  const count = (metric: OrderMetricName) => deps.metrics.addMetric(metric, MetricUnit.Count, 1);

  // Keyed on the order_id; the record keeps the hash of the order's content in the one form the
  // orders collection compares too. `written` tells the caller the insert ran, whatever follows.
  const storeOrderOnce = makeOrderIdempotent(
    async (
      _key: { readonly order_id: string; readonly content: unknown },
      document: OrderDocument,
      written: { result?: StoreOutcome },
    ) => {
      written.result = await deps.orders.insertOnce(document);
      return { orderId: document._id, ...written.result };
    },
    deps.idempotency,
  );

  const store = async (order: OrderEvent, messageId: string): Promise<StoreOutcome> => {
    const document = toOrderDocument(order, { messageId, now: now() });
    const written: { result?: StoreOutcome } = {};
    let result: StoreOutcome & { replayed?: boolean };
    try {
      result = await storeOrderOnce(
        { order_id: order.order_id, content: orderContent(document) },
        document,
        written,
      );
    } catch (error) {
      if (written.result !== undefined) {
        // The order is in the orders collection; only its idempotency record was not completed.
        // That claim goes stale with this invocation, and whoever takes it over meets the order.
        deps.logger.warn('idempotency record not completed; the order is stored', {
          messageId,
          order_id: order.order_id,
          error: classifyFailure(error, order.order_id).message,
        });
        return written.result;
      }
      // The record holds other content than this delivery: the orders collection decides.
      if (error instanceof IdempotencyValidationError) return deps.orders.ensureStored(document);
      throw error;
    }
    // A replay says an earlier delivery stored the order: the orders collection decides.
    return result.replayed ? deps.orders.ensureStored(document) : result;
  };

  const storeWithRetries = async (order: OrderEvent, messageId: string): Promise<StoreOutcome> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await store(order, messageId);
      } catch (error) {
        const failure = classifyFailure(error, order.order_id);
        if (!(failure instanceof DependencyUnavailableError) || delays.length === 0) throw error;
        const delay = failure.retryAfterMs ?? delays[Math.min(attempt, delays.length - 1)] ?? 0;
        const left = deps.deadline?.operationTimeoutMs() ?? 0;
        if (left < delay + MIN_ATTEMPT_MS) throw error;
        count(ORDER_METRICS.mongoRetries);
        deps.logger.info('MongoDB failed; retrying the order', {
          messageId,
          order_id: order.order_id,
          attempt: attempt + 1,
          delayMs: delay,
          error: failure.message,
        });
        await sleep(delay);
      }
    }
  };

  const deadLetter = async (record: SQSRecord, failure: OrderProcessingError, orderId?: string) => {
    if (failure.retryable || deps.deadLetters === undefined) return false;
    try {
      await deps.deadLetters.send({
        record,
        failure,
        ...(orderId === undefined ? {} : { orderId }),
      });
      return true;
    } catch (error) {
      count(ORDER_METRICS.deadLetterFailures);
      deps.logger.error('dead letter not sent; the queue will redeliver the message', {
        messageId: record.messageId,
        order_id: orderId,
        error: describeError(error),
      });
      return false;
    }
  };

  return async (record: SQSRecord): Promise<RecordResult> => {
    let orderId: string | undefined;
    try {
      const order = parseOrderEvent(record.body);
      orderId = order.order_id;
      const stored = await storeWithRetries(order, record.messageId);
      const keys = { messageId: record.messageId, order_id: orderId, outcome: stored.outcome };
      if (stored.outcome === 'already-stored' && stored.existingStatus !== 'PROCESSED') {
        deps.logger.warn('order already stored by another writer; left unchanged', {
          ...keys,
          existingStatus: String(stored.existingStatus),
        });
      } else {
        deps.logger.info(STORED[stored.outcome].message, keys);
      }
      count(STORED[stored.outcome].metric);
      return { orderId, outcome: stored.outcome };
    } catch (error) {
      const failure = classifyFailure(error, orderId);
      // An invalid body may still name the order it was about.
      orderId ??= claimedOrderId(record.body);
      const deadLettered = await deadLetter(record, failure, orderId);
      const { message, metric } = failed(failure);
      const keys = {
        messageId: record.messageId,
        order_id: orderId,
        reason: failure.reason,
        retryable: failure.retryable,
        deadLettered,
      };
      if (failure instanceof InvalidOrderError) {
        deps.logger.warn(message, { ...keys, issues: failure.issues });
      } else if (failure instanceof InternalError) {
        const cause = rootCause(failure);
        deps.logger.error(message, {
          ...keys,
          error: { name: cause.name, message: cause.message, stack: cause.stack },
        });
      } else if (failure.retryable) {
        deps.logger.warn(message, { ...keys, error: failure.message });
      } else {
        deps.logger.error(message, { ...keys, error: failure.message });
      }
      count(metric);
      if (deadLettered)
        return { ...(orderId === undefined ? {} : { orderId }), outcome: 'dead-lettered' };
      throw failure;
    }
  };
};
