import { vi } from 'vitest';

/** What was written to stdout and stderr while capturing, and how to stop. */
export interface CapturedLogs {
  /** Every line written to either stream, in order. */
  readonly lines: string[];
  /** Lines that parse as JSON objects (the Powertools Logger's records). */
  records(): Record<string, unknown>[];
  restore(): void;
}

/**
 * Captures (and silences) stdout and stderr, where the Powertools Logger writes its JSON records
 * (INFO and DEBUG to stdout, WARN and ERROR to stderr): the test then asserts on what an operator
 * would really see, not on what a mock was called with.
 */
export const captureLogs = (): CapturedLogs => {
  const lines: string[] = [];
  const intercept = (stream: NodeJS.WriteStream) => {
    let partial = '';
    return vi.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
      const text =
        partial + (typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts.filter((line) => line !== ''));
      return true;
    });
  };
  const spies = [intercept(process.stdout), intercept(process.stderr)];
  return {
    lines,
    records: () =>
      lines.flatMap((line) => {
        try {
          const parsed: unknown = JSON.parse(line);
          return typeof parsed === 'object' && parsed !== null
            ? [parsed as Record<string, unknown>]
            : [];
        } catch {
          return [];
        }
      }),
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
};
