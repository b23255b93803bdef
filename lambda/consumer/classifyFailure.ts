import {
  IdempotencyAlreadyInProgressError,
  IdempotencyInconsistentStateError,
  IdempotencyItemAlreadyExistsError,
} from '@aws-lambda-powertools/idempotency';
import {
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
  if (chain.some(isDependencyUnavailable)) {
    return new DependencyUnavailableError(`Order ${id} could not be stored: ${steps}`, {
      cause: error,
      retryAfterMs: retryAfterMsOf(chain),
    });
  }
  return new InternalError(`Order ${id} failed unexpectedly: ${steps}`, { cause: error });
};
