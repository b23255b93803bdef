import type { LogItem } from '@aws-lambda-powertools/logger';
import { Logger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';

/** Where a local log line goes: one JSON document, already serialised, per call. */
export type LogSink = (jsonLine: string, level: string) => void;

/** Options of {@link LocalLogger}: the Powertools options plus the sink. */
export type LocalLoggerOptions = ConstructorOptions & { readonly sink: LogSink };

// Powertools passes the threshold number; sinks route and colour by name.
const LEVEL_NAMES: Record<number, string> = {
  6: 'TRACE',
  8: 'DEBUG',
  12: 'INFO',
  16: 'WARN',
  20: 'ERROR',
  24: 'CRITICAL',
  28: 'SILENT',
};

/**
 * A Powertools Logger that hands each JSON line to a {@link LogSink} instead of printing it.
 *
 * The local runtime gives each simulated container its own instance (as separate Lambda execution
 * environments have), and the sink decides how lines look: JSON for pipes, readable on a terminal,
 * captured in tests. The records are exactly what the Lambda would print.
 */
export class LocalLogger extends Logger {
  readonly #sink: LogSink;

  constructor(options: LocalLoggerOptions) {
    const { sink, ...loggerOptions } = options;
    super(loggerOptions);
    this.#sink = sink;
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    const line = JSON.stringify(log.getAttributes(), this.getJsonReplacer());
    this.#sink(line, LEVEL_NAMES[logLevel] ?? 'INFO');
  }

  protected override createLogger(options?: ConstructorOptions): LocalLogger {
    return new LocalLogger({ ...options, sink: this.#sink });
  }
}
