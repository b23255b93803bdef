import { ConfigurationError } from '../lambda/shared/errors.js';
import { CliError, LocalSettingsError } from './errors.js';

const firstLine = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';

/**
 * Runs a command's `main` and turns its end into an exit status: its return value (default 0),
 * or for an error one line on stderr, `<command>: <message>`, and an exit status: a
 * {@link CliError}'s own, 2 for a bad variable or setting, else 1. No stack trace: these messages are for the person
 * at the terminal; `DEBUG=1` prints the whole error too.
 */
export const runCli = (command: string, main: () => Promise<number | undefined>): void => {
  main().then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (error: unknown) => {
      process.stderr.write(`${command}: ${firstLine(error)}\n`);
      if (process.env.DEBUG === '1') console.error(error);
      process.exitCode =
        error instanceof CliError
          ? error.exitCode
          : error instanceof ConfigurationError || error instanceof LocalSettingsError
            ? 2
            : 1;
    },
  );
};
