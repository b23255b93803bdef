/** The Lambda timeout of the fault scenarios: short, so that each takes seconds. */
export const FUNCTION_TIMEOUT_MS = 3_000;

/**
 * The queue's visibility timeout in the scenarios, shortened as the local runtime shortens it: the
 * function timeout plus a second. Never shorter than the timeout, so a message does not come back
 * while a delivery may still hold its in-progress claim (on AWS it is six times the timeout).
 */
export const VISIBILITY_TIMEOUT_MS = FUNCTION_TIMEOUT_MS + 1_000;
