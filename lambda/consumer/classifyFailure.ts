import {
  IdempotencyAlreadyInProgressError,
  IdempotencyValidationError,
} from '@aws-lambda-powertools/idempotency';
import {
  DependencyUnavailableError,
  OrderConflictError,
  OrderInProgressError,
  OrderProcessingError,
} from '../shared/errors.js';

/**
 * The one place where a record's failure gets its reason. Powertools wraps store failures in its
 * own errors; we look through them so the reason names the real cause.
 */
export const classifyFailure = (
  error: unknown,
  orderId: string | undefined,
): OrderProcessingError => {
  if (error instanceof OrderProcessingError) return error;
  const id = orderId ?? '(unknown)';
  if (error instanceof IdempotencyValidationError) {
    return new OrderConflictError(id, 'content differs from an earlier delivery');
  }
  if (error instanceof IdempotencyAlreadyInProgressError) {
    return new OrderInProgressError(id, { cause: error });
  }
  const cause =
    error instanceof Error && error.cause instanceof OrderProcessingError ? error.cause : undefined;
  if (cause !== undefined) return cause;
  // Powertools' store errors say which step failed; their cause says why (timeout, reset…).
  const reason = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const message =
    (error instanceof Error ? error.message : String(error)) +
    (reason === undefined ? '' : ` (${reason.name}: ${reason.message})`);
  return new DependencyUnavailableError(`Order ${id} could not be stored: ${message}`, {
    cause: error,
  });
};
