/** How one dependency check ended, with how long it took. Never carries the error's text. */
export type CheckOutcome<T> =
  | { readonly ok: true; readonly value: T; readonly latencyMs: number }
  | {
      readonly ok: false;
      readonly reason: 'timeout' | 'error';
      /** The error's class name (`QueueDoesNotExist`, `MongoServerSelectionError`), for logs only. */
      readonly errorName?: string;
      readonly latencyMs: number;
    };

/**
 * Runs `check` and settles within `timeoutMs` whatever it does. On timeout the signal is aborted so
 * a well-behaved client (the AWS SDK) gives up its request; a client that ignores the signal is
 * simply not waited for.
 */
export const runBoundedCheck = async <T>(
  check: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
): Promise<CheckOutcome<T>> => {
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((settle) => {
    timer = setTimeout(() => settle('timeout'), timeoutMs);
  });
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const result = await Promise.race([
      check(controller.signal).then((value) => ({ value })),
      timedOut,
    ]);
    if (result === 'timeout') {
      controller.abort();
      return { ok: false, reason: 'timeout', latencyMs: elapsed() };
    }
    return { ok: true, value: result.value, latencyMs: elapsed() };
  } catch (error) {
    const errorName = error instanceof Error ? error.name : typeof error;
    return { ok: false, reason: 'error', errorName, latencyMs: elapsed() };
  } finally {
    clearTimeout(timer);
  }
};
