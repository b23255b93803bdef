import {
  IdempotencyAlreadyInProgressError,
  IdempotencyInconsistentStateError,
  IdempotencyItemAlreadyExistsError,
} from '@aws-lambda-powertools/idempotency';
import {
  MongoAWSError,
  MongoClientClosedError,
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoOperationTimeoutError,
  MongoServerClosedError,
  MongoServerSelectionError,
  MongoStalePrimaryError,
  MongoTopologyClosedError,
  MongoWriteConcernError,
} from 'mongodb';
import {
  causeChain,
  DependencyUnavailableError,
  describeError,
  InternalError,
  OrderInProgressError,
  OrderProcessingError,
} from '../shared/errors.js';

// The server cannot be reached, or gave up: the network (a reset, a refused connection, the pool
// cleared after one), server selection, a closed client, the operation's time running out.
const UNREACHABLE = [
  MongoNetworkError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  MongoNotConnectedError,
  MongoServerClosedError,
  MongoClientClosedError,
  MongoOperationTimeoutError,
  MongoWriteConcernError,
  MongoStalePrimaryError,
];
// Errors the driver throws without exporting their class, and the abort signal's own reason.
const UNREACHABLE_NAMES = new Set([
  'MongoWaitQueueTimeoutError',
  'MongoPoolClearedError',
  'TimeoutError',
  'AbortError',
]);
// Server codes of a node that is not (or no longer) primary, shutting down, or out of time.
const NOT_PRIMARY_OR_TIMED_OUT = [
  6, 7, 50, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436,
];
// Server codes meaning "busy, retry later": a write conflict; MongoDB 8's ingress rate limiters
// and load shedding (462, 463, 473); Azure Cosmos DB's request units spent (16500, "Request rate
// is large", with `RetryAfterMs`).
const BUSY = [112, 462, 463, 473, 16500];
const UNAVAILABLE_CODES = new Set([...NOT_PRIMARY_OR_TIMED_OUT, ...BUSY]);
// Labels a server or the driver puts on an error that a retry can get past (MongoDB 8's overload
// labels, the retryable-writes label): every write of the consumer is safe to repeat.
const RETRYABLE_LABELS = ['SystemOverloadedError', 'RetryableError', 'RetryableWriteError'];
// Node's codes for a socket that failed: whatever wraps them, a network fault is an outage.
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

// A setting that keeps every operation from MongoDB, whatever the record, until someone fixes it.
// It is an outage like a server down, so `dependency-unavailable`: another delivery succeeds once it
// is fixed, the message stays whole in the queue (after maxReceiveCount receives, in the DLQ by the
// redrive), and it is never dead-lettered at once as poison nor logged as a bug per record. The
// consumer says which setting once per invocation ({@link describeSettingFault}).
const settingFaultOf = (error: unknown): string | undefined => {
  if (!(error instanceof Error)) return undefined;
  const { code, syscall } = error as NodeJS.ErrnoException;
  // OpenSSL's verification codes (not signed by a trusted CA, expired, not naming the host), or the
  // CA file the driver could not open as it connected: nothing else in the data path opens a file.
  if (/CERT|UNABLE_TO_/.test(String(code)) || syscall === 'open') {
    return 'TLS to MongoDB failed: check MONGO_TLS_CA_FILE';
  }
  // Credentials refused (18, AuthenticationFailed) or a mechanism the server lacks (334,
  // MechanismUnavailable), or none to offer (MongoAWSError): no AWS credentials, or no
  // @aws-sdk/credential-providers to read them with.
  if (
    error instanceof MongoAWSError ||
    (error instanceof MongoError && (error.code === 18 || error.code === 334))
  ) {
    return 'MongoDB refused authentication: check MONGO_AUTH (aws-iam: is the role a user?)';
  }
  return undefined;
};

/**
 * The line that names the setting keeping MongoDB out of reach (TLS and `MONGO_TLS_CA_FILE`, or
 * authentication and `MONGO_AUTH`), read through `error`'s causes; `undefined` for other failures.
 */
export const describeSettingFault = (error: unknown): string | undefined =>
  causeChain(error)
    .map(settingFaultOf)
    .find((line) => line !== undefined);

/**
 * Whether `error` means MongoDB was unreachable, timed out, cleared its pool, was not primary or
 * was busy: a later attempt can succeed without anything changing on our side.
 */
const isDependencyUnavailable = (error: unknown): boolean =>
  error instanceof Error &&
  (UNREACHABLE.some((kind) => error instanceof kind) ||
    UNREACHABLE_NAMES.has(error.name) ||
    NETWORK_CODES.has(String((error as { code?: unknown }).code)) ||
    (error instanceof MongoError &&
      (UNAVAILABLE_CODES.has(Number(error.code)) ||
        RETRYABLE_LABELS.some((label) => error.hasErrorLabel(label)))));

/** The pause a busy server asked for (Cosmos DB: `RetryAfterMs=N` in the message), if any. */
const retryAfterMsOf = (chain: readonly unknown[]): number | undefined => {
  for (const cause of chain) {
    const advice = /\bRetryAfterMs=(\d+)/.exec(cause instanceof Error ? cause.message : '');
    if (advice?.[1] !== undefined) return Number(advice[1]);
  }
  return undefined;
};

/**
 * The one place where a record's failure gets its reason. Powertools wraps store failures in its
 * own errors; the cause chain is read through, so the reason names the real cause. Only what is
 * known to pass is retryable as an outage; anything unforeseen is an {@link InternalError}.
 */
export const classifyFailure = (
  error: unknown,
  orderId: string | undefined,
): OrderProcessingError => {
  const id = orderId ?? '(unknown)';
  const chain = causeChain(error);
  for (const cause of chain) {
    if (cause instanceof OrderProcessingError) return cause;
    if (
      cause instanceof IdempotencyAlreadyInProgressError ||
      cause instanceof IdempotencyItemAlreadyExistsError ||
      cause instanceof IdempotencyInconsistentStateError
    ) {
      return new OrderInProgressError(id, { cause });
    }
  }
  // Powertools names the step that failed (claim, completion, release); its cause says why.
  const steps = chain.map(describeError).join(' <- ');
  if (chain.some(isDependencyUnavailable) || describeSettingFault(error) !== undefined) {
    return new DependencyUnavailableError(`Order ${id} could not be stored: ${steps}`, {
      cause: error,
      retryAfterMs: retryAfterMsOf(chain),
    });
  }
  return new InternalError(`Order ${id} failed unexpectedly: ${steps}`, { cause: error });
};
