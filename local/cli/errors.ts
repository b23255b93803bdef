/**
 * A command-line failure: its message is the one line printed (no stack trace) and `exitCode` the
 * process's exit status.
 */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 1, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Wrong or missing arguments; exit status 2, as shells and getopt-style tools use. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

/** The SQS endpoint (or MongoDB) cannot be reached, or refuses what was asked of it. */
export class EndpointError extends CliError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 1, options);
    this.name = 'EndpointError';
  }
}

/** A local-runtime setting is out of range; raised before anything starts. */
export class LocalSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalSettingsError';
  }
}
