import type { Context } from 'aws-lambda';

/** Options of {@link InvocationDeadline}. */
export interface InvocationDeadlineOptions {
  /** Time kept back from the Lambda's remaining time to build and return the response. */
  readonly reserveMs?: number;
  /** Upper bound of one database operation, however much time is left; none by default. */
  readonly maxOperationMs?: number;
  /** Clock, replaceable in tests. */
  readonly now?: () => number;
}

/**
 * Turns "the time the Lambda context says is left" into a time limit for each MongoDB operation,
 * so a slow or unreachable database makes the invocation answer (with every record failed) before
 * the Lambda timeout, instead of being killed by it with nothing reported.
 *
 * Operations are not capped below the deadline by default: with records running in parallel on a
 * small pool, a record may wait for a connection, and it should fail only when the invocation
 * would otherwise run out of time.
 */
export class InvocationDeadline {
  readonly #reserveMs: number;
  readonly #maxOperationMs: number;
  readonly #now: () => number;
  #deadline: number | undefined;

  constructor(options: InvocationDeadlineOptions = {}) {
    this.#reserveMs = options.reserveMs ?? 1_000;
    this.#maxOperationMs = options.maxOperationMs ?? Number.POSITIVE_INFINITY;
    this.#now = options.now ?? Date.now;
  }

  /** Starts the clock for one invocation. */
  start(context: Pick<Context, 'getRemainingTimeInMillis'>): void {
    this.#deadline = this.#now() + context.getRemainingTimeInMillis() - this.#reserveMs;
  }

  /**
   * The time allowed to the next operation: at least 1 ms, so an expired deadline fails fast;
   * `undefined` (no limit of ours) before any invocation started the clock.
   */
  operationTimeoutMs(): number | undefined {
    if (this.#deadline === undefined) return undefined;
    const left = Math.floor(this.#deadline - this.#now());
    return Math.max(1, Math.min(this.#maxOperationMs, left));
  }
}
