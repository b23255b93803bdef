/**
 * Why a record failed, decided here and nowhere else. Every failure puts the record in
 * `batchItemFailures`; `retryable` says whether another delivery can succeed, which drives the log
 * level and lets operators tell poison messages from transient trouble.
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

/** The body is not a valid order event; no delivery of it can ever succeed. */
export class InvalidOrderError extends OrderProcessingError {
  readonly reason = 'invalid-order';
  readonly retryable = false;
  readonly issues: readonly ContractIssue[];

  constructor(issues: readonly ContractIssue[]) {
    super(
      `Invalid order event: ${issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; ')}`,
    );
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

  constructor(orderId: string, options?: ErrorOptions) {
    super(`Order ${orderId} is being processed by another delivery`, options);
    this.name = 'OrderInProgressError';
  }
}

/** MongoDB (or another dependency) failed or answered too late; retry later. */
export class DependencyUnavailableError extends OrderProcessingError {
  readonly reason = 'dependency-unavailable';
  readonly retryable = true;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DependencyUnavailableError';
  }
}

/** A configuration variable is missing or malformed; raised once, at cold start. */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}
