import { formatLogLine } from './formatLogLine.js';
import type { LogSink } from './LocalLogger.js';

/** A stream a sink writes to; `process.stdout` fits. */
export interface LogStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** One JSON document per line, as Lambda prints to CloudWatch: for pipes, files and log tools. */
export const jsonLogSink =
  (stream: LogStream): LogSink =>
  (line) => {
    stream.write(`${line}\n`);
  };

/** Readable lines (see {@link formatLogLine}), coloured: for a person at a terminal. */
export const readableLogSink =
  (stream: LogStream, options: { readonly colour?: boolean } = {}): LogSink =>
  (line) => {
    stream.write(`${formatLogLine(line, { colour: options.colour ?? true })}\n`);
  };

/** Readable lines on a terminal, JSON otherwise. */
export const defaultLogSink = (stream: LogStream): LogSink =>
  stream.isTTY ? readableLogSink(stream) : jsonLogSink(stream);

/** Drops every line (quiet programmatic use). */
export const silentLogSink: LogSink = () => undefined;
