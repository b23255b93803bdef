/**
 * The service's tunable settings, defined once. The CDK stack takes them as props (with these
 * defaults), and the local runtime and the tests read the same values, so a queue behaves the same
 * on AWS, on LocalStack and on a laptop.
 */
export interface OrderServiceSettings {
  /** Name of the main order queue. */
  readonly queueName: string;
  /** Name of the dead-letter queue; it contains `dlq` so operators recognise it. */
  readonly deadLetterQueueName: string;
  /** Records handed to one consumer invocation (SQS event source mapping `BatchSize`). */
  readonly batchSize: number;
  /** How long the mapping gathers records before invoking (`MaximumBatchingWindowInSeconds`). */
  readonly maxBatchingWindowSeconds: number;
  /** Consumer Lambda timeout. */
  readonly consumerTimeoutSeconds: number;
  /** Receives before SQS moves a message to the DLQ; AWS advises at least 5 for Lambda consumers. */
  readonly maxReceiveCount: number;
  /** Most concurrent consumer invocations (`ScalingConfig.MaximumConcurrency`, 2 to 1000). */
  readonly maxConcurrency: number;
  /** MongoDB connections one consumer container may open; total = maxConcurrency × this. */
  readonly mongoMaxPoolSize: number;
  /** How long a completed order's idempotency record is kept. */
  readonly idempotencyExpirySeconds: number;
  /** How long the DLQ keeps a message (the SQS maximum, 14 days). */
  readonly deadLetterRetentionSeconds: number;
}

/** The defaults every environment starts from. */
export const defaultSettings: OrderServiceSettings = {
  queueName: 'order-queue',
  deadLetterQueueName: 'order-queue-dlq',
  batchSize: 10,
  maxBatchingWindowSeconds: 1,
  consumerTimeoutSeconds: 30,
  maxReceiveCount: 5,
  maxConcurrency: 5,
  mongoMaxPoolSize: 5,
  idempotencyExpirySeconds: 24 * 60 * 60,
  deadLetterRetentionSeconds: 14 * 24 * 60 * 60,
};

/**
 * Visibility timeout of the main queue: AWS asks for at least six times the function timeout, plus
 * the batching window, so a message is not redelivered while an invocation (with retries of
 * throttled invokes) may still be working on it.
 */
export const visibilityTimeoutSeconds = (
  settings: Pick<OrderServiceSettings, 'consumerTimeoutSeconds' | 'maxBatchingWindowSeconds'>,
): number => 6 * settings.consumerTimeoutSeconds + settings.maxBatchingWindowSeconds;
