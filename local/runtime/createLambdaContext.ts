import type { Context } from 'aws-lambda';

/** What one simulated invocation's context is built from. */
export interface LambdaContextOptions {
  readonly functionName: string;
  readonly region: string;
  readonly accountId?: string;
  readonly requestId: string;
  /** The function timeout; `getRemainingTimeInMillis()` counts down from it. */
  readonly timeoutMs: number;
  readonly memoryLimitInMB?: number;
  /** Names the simulated execution environment, as Lambda's log stream does. */
  readonly logStreamName: string;
  /** Clock, replaceable in tests. */
  readonly now?: () => number;
}

/**
 * A Lambda context for one invocation: the deadline starts when the context is created, so
 * `getRemainingTimeInMillis()` behaves as on Lambda (never below 0), and the request id is the one
 * the emulator logs.
 */
export const createLambdaContext = (options: LambdaContextOptions): Context => {
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  const accountId = options.accountId ?? '000000000000';
  const unsupported = () => {
    throw new Error('callback-style completion is not supported; return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${options.region}:${accountId}:function:${options.functionName}`,
    memoryLimitInMB: String(options.memoryLimitInMB ?? 512),
    awsRequestId: options.requestId,
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: options.logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
};
