/** Keys every Powertools line carries; the readable form shows them in its fixed columns or drops them. */
const FRAME_KEYS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'xray_trace_id',
]);

const COLOURS: Record<string, string> = {
  DEBUG: '\u001b[90m',
  WARN: '\u001b[33m',
  ERROR: '\u001b[31m',
  CRITICAL: '\u001b[31;1m',
};
const RESET = '\u001b[0m';

const value = (raw: unknown): string => {
  if (typeof raw === 'string') return /^[^\s"=]+$/.test(raw) ? raw : JSON.stringify(raw);
  return JSON.stringify(raw) ?? String(raw);
};

/** Options of {@link formatLogLine}. */
export interface FormatLogLineOptions {
  /** ANSI colours by level (a terminal that shows them). */
  readonly colour?: boolean;
}

/**
 * Turns one Powertools JSON line into one readable line for a terminal:
 * `time LEVEL service [request] message key=value…`. A line that is not JSON is returned unchanged,
 * so nothing is ever hidden.
 */
export const formatLogLine = (jsonLine: string, options: FormatLogLineOptions = {}): string => {
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(jsonLine);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return jsonLine;
    record = parsed as Record<string, unknown>;
  } catch {
    return jsonLine;
  }
  const level = String(record.level ?? 'INFO');
  const time = typeof record.timestamp === 'string' ? record.timestamp.slice(11, 23) : '';
  const request =
    typeof record.function_request_id === 'string'
      ? ` [${record.function_request_id.slice(0, 8)}]`
      : '';
  const extras = Object.entries(record)
    .filter(([key]) => !FRAME_KEYS.has(key))
    .map(([key, raw]) => `${key}=${value(raw)}`)
    .join(' ');
  const text = `${time} ${level.padEnd(5)} ${String(record.service ?? '')}${request} ${String(
    record.message ?? '',
  )}${extras === '' ? '' : `  ${extras}`}`;
  const colour = options.colour ? COLOURS[level] : undefined;
  return colour === undefined ? text : `${colour}${text}${RESET}`;
};
