import { CliError, EndpointError } from '../cli/errors.js';

const CONNECTION_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

const AUTH_ERRORS = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'AccessDenied',
  'AccessDeniedException',
]);

/** Where the command was talking to, for the message. */
export interface SqsErrorContext {
  /** e.g. `http://localhost:4566` or `AWS (eu-west-1)`. */
  readonly endpoint: string;
  /** What to do when nothing answers there. */
  readonly unreachableHint: string;
}

/**
 * Turns an AWS SDK error into a {@link CliError} with one line that says what failed and what to
 * do; anything unrecognised keeps its own first line.
 */
export const describeSqsError = (error: unknown, context: SqsErrorContext): CliError => {
  if (error instanceof CliError) return error;
  const failure = error as { name?: string; code?: string; message?: string };
  const name = failure.name ?? '';
  const code = failure.code ?? (error as { cause?: { code?: string } }).cause?.code ?? '';
  const connection = CONNECTION_CODES[code];
  if (connection !== undefined || name === 'TimeoutError') {
    return new EndpointError(
      `Cannot reach SQS at ${context.endpoint} (${connection ?? 'request timed out'}). ${context.unreachableHint}`,
      { cause: error },
    );
  }
  if (name === 'QueueDoesNotExist' || name === 'AWS.SimpleQueueService.NonExistentQueue') {
    return new EndpointError(
      `The queue does not exist at ${context.endpoint}. ${context.unreachableHint}`,
      { cause: error },
    );
  }
  if (name === 'CredentialsProviderError') {
    return new EndpointError(
      `No AWS credentials for ${context.endpoint}: configure a profile or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or target the local runtime.`,
      { cause: error },
    );
  }
  if (AUTH_ERRORS.has(name)) {
    return new EndpointError(`SQS at ${context.endpoint} refused the credentials (${name}).`, {
      cause: error,
    });
  }
  const message = (failure.message ?? String(error)).split('\n')[0];
  return new CliError(`SQS at ${context.endpoint} answered ${name || 'an error'}: ${message}`, 1, {
    cause: error,
  });
};
