import { ConfigurationError } from '../../lambda/shared/errors.js';
import { CliError, LocalSettingsError } from './errors.js';

const messageOf = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).trimEnd();

/**
 * Runs a command's `main` and turns its end into an exit status: its return value (default 0),
 * or for an error its message on stderr, `<command>: <message>` (one line for every error these
 * commands raise themselves; the embedded-MongoDB failure explains itself in a few), and an exit
 * status: a {@link CliError}'s own, 2 for a bad variable or setting, else 1. No stack trace: the
 * messages are for the person at the terminal; `DEBUG=1` prints the whole error too.
 */
export const runCli = (command: string, main: () => Promise<number | undefined>): void => {
  main().then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (error: unknown) => {
      process.stderr.write(`${command}: ${messageOf(error)}\n`);
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
