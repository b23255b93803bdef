/**
 * The consumer's CloudWatch metrics, emitted as EMF through Powertools Metrics once per
 * invocation. Namespace `OrderService`, one dimension: `service` = `order-consumer`. The stack's
 * dashboard and alarms read them by these names.
 */
export const ORDER_METRICS_NAMESPACE = 'OrderService';

/** The consumer's service name: the `service` dimension of its metrics and the field of its logs. */
export const CONSUMER_SERVICE_NAME = 'order-consumer';

/** Metric names. Each counts records by outcome, except `MongoRetries`, which counts retries. */
export const ORDER_METRICS = {
  /** Stored by this delivery. */
  stored: 'OrdersStored',
  /** Already stored, with the same content: a resend, or a redelivery. */
  alreadyStored: 'OrdersAlreadyStored',
  /** Known as stored, but its document was gone: stored again. */
  restored: 'OrdersRestored',
  /** The body breaks the contract. */
  rejected: 'OrdersRejected',
  /** The order id is stored with other content. */
  conflicts: 'OrderConflicts',
  /** Not stored this time (MongoDB unavailable, or another delivery at work): back to the queue. */
  deferred: 'OrdersDeferred',
  /** Failed for a reason nobody foresaw (a bug): back to the queue, logged with its stack. */
  internalErrors: 'InternalErrors',
  /** Retries inside an invocation after MongoDB failed. */
  mongoRetries: 'MongoRetries',
  /** Poison records whose copy to the DLQ failed: left to the queue's redrive instead. */
  deadLetterFailures: 'DeadLetterFailures',
} as const;

/** One of {@link ORDER_METRICS}' names. */
export type OrderMetricName = (typeof ORDER_METRICS)[keyof typeof ORDER_METRICS];
