/**
 * Why a record failed, decided in `classifyFailure` and nowhere else. `retryable` says whether
 * another delivery can succeed: a retryable failure goes back to the queue (`batchItemFailures`);
 * one that is not (poison) is dead-lettered at once with its reason, where the settings allow.
 */
export abstract class OrderProcessingError extends Error {
  /** Short machine-readable reason, logged and shown by `npm run dlq -- list`. */
  abstract readonly reason: string;
  /** Whether a later delivery of the same message can succeed. */
  abstract readonly retryable: boolean;
}

/** One problem found in a message body, with the JSON path it was found at. */
export interface ContractIssue {
  readonly path: string;
  readonly message: string;
}

/** The issues of a body, as the DLQ's `DeadLetter.Detail` and the error message give them. */
export const formatIssues = (issues: readonly ContractIssue[]): string =>
  issues.map(({ path, message }) => `${path || '(body)'}: ${message}`).join('; ');

/** `Name: message` of an error, for a log field; never its stack or a body. */
export const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/** `error` itself when it is an Error, else an Error saying what was thrown. */
export const asError = (error: unknown): Error =>
  error instanceof Error ? error : new Error(String(error));

/** `error` and its causes, outermost first (five at most): what Powertools wraps, read through. */
export const causeChain = (error: unknown): unknown[] => {
  const chain: unknown[] = [];
  for (let next = error; next !== undefined && chain.length < 5; next = (next as Error).cause) {
    chain.push(next);
    if (!(next instanceof Error)) break;
  }
  return chain;
};

/** The body is not a valid order event; no delivery of it can ever succeed. */
export class InvalidOrderError extends OrderProcessingError {
  readonly reason = 'invalid-order';
  readonly retryable = false;
  readonly issues: readonly ContractIssue[];

  constructor(issues: readonly ContractIssue[]) {
    super(`Invalid order event: ${formatIssues(issues)}`);
    this.name = 'InvalidOrderError';
    this.issues = issues;
  }
}

/** An order with this `order_id` already exists with different content; it is never overwritten. */
export class OrderConflictError extends OrderProcessingError {
  readonly reason = 'order-conflict';
  readonly retryable = false;
  readonly orderId: string;

  constructor(orderId: string, detail: string) {
    super(`Order ${orderId} already exists with different content (${detail})`);
    this.name = 'OrderConflictError';
    this.orderId = orderId;
  }
}

/** Another delivery of the same order is being processed right now; retry later. */
export class OrderInProgressError extends OrderProcessingError {
  readonly reason = 'order-in-progress';
  readonly retryable = true;

  constructor(orderId: string, options?: ErrorOptions & { readonly detail?: string }) {
    super(
      `Order ${orderId} ${options?.detail ?? 'is being processed by another delivery'}`,
      options,
    );
    this.name = 'OrderInProgressError';
  }
}

/**
 * MongoDB was unreachable, timed out, cleared its pool, was not primary, or said it is busy
 * (throttled, overloaded); retry later.
 */
export class DependencyUnavailableError extends OrderProcessingError {
  readonly reason = 'dependency-unavailable';
  readonly retryable = true;
  /** How long the server asked to be left alone, when it said (Cosmos DB's `RetryAfterMs`). */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options?: ErrorOptions & { readonly retryAfterMs?: number }) {
    super(message, options);
    this.name = 'DependencyUnavailableError';
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/**
 * Anything else: a bug, or a failure nobody foresaw. The record goes back to the queue (nothing is
 * lost), and the error is logged with its stack and counted, for a person to look at.
 */
export class InternalError extends OrderProcessingError {
  readonly reason = 'internal-error';
  readonly retryable = true;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InternalError';
  }
}

/** A configuration variable is missing or malformed; raised once, at cold start. */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}
