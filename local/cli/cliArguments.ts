import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `node:util` `parseArgs`, strict, with its errors turned into {@link UsageError}s (exit status 2)
 * that end with where to find help.
 */
export const parseCliArguments = <T extends Options>(
  args: readonly string[],
  options: T,
  help: string,
  allowPositionals = false,
) => {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals });
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    // parseArgs calls `--count -3` ambiguous; say how to write it instead.
    const ambiguous = /^Option '(--[\w-]+)' argument is ambiguous/.exec(message);
    throw new UsageError(
      ambiguous
        ? `${ambiguous[1]} needs a value; one starting with "-" is written ${ambiguous[1]}=<value>`
        : `${message.replace(/\.$/, '')}; see ${help}`,
    );
  }
};

/** A whole number option from `min` to `max`, `fallback` when absent. */
export const wholeNumberOption = (
  name: string,
  raw: string | undefined,
  fallback: number,
  range: { readonly min: number; readonly max: number },
): number => {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < range.min || value > range.max) {
    throw new UsageError(`--${name} must be a whole number from ${range.min} to ${range.max}`);
  }
  return value;
};

/** A positive number option (decimals allowed), `undefined` when absent. */
export const positiveNumberOption = (name: string, raw: string | undefined): number | undefined => {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`--${name} must be a number greater than 0`);
  }
  return value;
};
