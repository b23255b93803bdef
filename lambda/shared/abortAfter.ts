/**
 * Driver options that abort a MongoDB operation after `ms` (none when `ms` is undefined).
 *
 * The mongodb v7 driver ignores `timeoutMS` ("has no effect"); an `AbortSignal` is what it honours,
 * through server selection, connection checkout and the socket read. Its types declare `signal`
 * on reads only, but every operation passes it on, so write options are cast where used.
 */
export const abortAfter = (ms: number | undefined): { signal?: AbortSignal } =>
  ms === undefined ? {} : { signal: AbortSignal.timeout(ms) };
