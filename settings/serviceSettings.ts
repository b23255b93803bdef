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
  /**
   * MongoDB connections one consumer container may open. A batch's writes go out as one command
   * per step, so 2 serve it (the second for the rare single-document follow-ups); the deployment's
   * worst case is `maxConcurrency × (mongoMaxPoolSize + 1)`, the driver's monitoring connection
   * included.
   */
  readonly mongoMaxPoolSize: number;
  /**
   * What happens to a message no delivery can store (it breaks the contract, or conflicts with a
   * stored order): `dead-letter-now` copies it to the DLQ with its reason on its first receive;
   * `redrive` reports it failed until the queue moves it after `maxReceiveCount` receives.
   */
  readonly poisonMessages: PoisonMessages;
  /** How long a completed order's idempotency record is kept. */
  readonly idempotencyExpirySeconds: number;
  /** How long the DLQ keeps a message (the SQS maximum, 14 days). */
  readonly deadLetterRetentionSeconds: number;
}

/** The two ways a poison message reaches the DLQ; see {@link OrderServiceSettings.poisonMessages}. */
export const POISON_MESSAGES = ['dead-letter-now', 'redrive'] as const;
/** One of {@link POISON_MESSAGES}. */
export type PoisonMessages = (typeof POISON_MESSAGES)[number];

/** The defaults every environment starts from. */
export const defaultSettings: OrderServiceSettings = {
  queueName: 'order-queue',
  deadLetterQueueName: 'order-queue-dlq',
  batchSize: 10,
  maxBatchingWindowSeconds: 1,
  consumerTimeoutSeconds: 30,
  maxReceiveCount: 5,
  maxConcurrency: 5,
  mongoMaxPoolSize: 2,
  poisonMessages: 'dead-letter-now',
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

/** How callers of the health Function URL authenticate. */
export type FunctionUrlAuth = 'NONE' | 'AWS_IAM';

/**
 * Deployment settings the stack adds to {@link OrderServiceSettings}: they shape the AWS resources
 * around the consumer rather than how a queue behaves, so the local runtime only reads the few it
 * shares (the health check's timeout).
 */
export interface DeploymentSettings {
  /** Memory of the consumer Lambda in MB (CPU scales with it). */
  readonly consumerMemoryMb: number;
  /** Memory of the health Lambda in MB. */
  readonly healthMemoryMb: number;
  /** Health Lambda timeout; the checks themselves answer well inside it. */
  readonly healthTimeoutSeconds: number;
  /** Bound on each health check (SQS and MongoDB), so the answer comes within about 2 s. */
  readonly healthCheckTimeoutMs: number;
  /** Concurrent health invocations at most; caps what anonymous callers can make it do. */
  readonly healthReservedConcurrency: number;
  /** `NONE` lets uptime monitors call the URL; `AWS_IAM` requires SigV4-signed callers. */
  readonly functionUrlAuth: FunctionUrlAuth;
  /** Days CloudWatch keeps the functions' logs. */
  readonly logRetentionDays: number;
  /** Secrets Manager secret (name or ARN) holding the MongoDB URI on AWS. */
  readonly mongoUriSecretName: string;
  /**
   * MongoDB URI of a local deployment given none (`-c mongoUri=…`): the compose service, by the name
   * the Lambda containers on the compose network reach it by.
   */
  readonly localMongoUri: string;
}

/** Deployment defaults; the stack props fall back to these. */
export const defaultDeploymentSettings: DeploymentSettings = {
  consumerMemoryMb: 512,
  healthMemoryMb: 256,
  healthTimeoutSeconds: 5,
  healthCheckTimeoutMs: 1_500,
  healthReservedConcurrency: 2,
  functionUrlAuth: 'NONE',
  logRetentionDays: 30,
  mongoUriSecretName: 'order-service/mongo-uri',
  localMongoUri: 'mongodb://mongodb:27017',
};
