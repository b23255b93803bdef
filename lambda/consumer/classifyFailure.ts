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
const NOT_PRIMARY_OR_TIMED_OUT = new Set([
  6, 7, 50, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436,
]);

/** Whether `error` means MongoDB was unreachable, timed out, cleared its pool or was not primary. */
const isDependencyUnavailable = (error: unknown): boolean =>
  error instanceof Error &&
  (UNREACHABLE.some((kind) => error instanceof kind) ||
    UNREACHABLE_NAMES.has(error.name) ||
    (error instanceof MongoError && NOT_PRIMARY_OR_TIMED_OUT.has(Number(error.code))));

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
    });
  }
  return new InternalError(`Order ${id} failed unexpectedly: ${steps}`, { cause: error });
};
