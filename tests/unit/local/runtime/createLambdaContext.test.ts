import { describe, expect, it } from 'vitest';
import { createLambdaContext } from '../../../../local/runtime/createLambdaContext.js';

describe('createLambdaContext', () => {
  it('counts the remaining time down from the function timeout, never below zero', () => {
    // Prepare
    let now = 1_000;
    const context = createLambdaContext({
      functionName: 'order-consumer',
      region: 'eu-west-1',
      requestId: 'req-1',
      timeoutMs: 5_000,
      logStreamName: 'local/[$LATEST]0-abc',
      now: () => now,
    });

    // Act
    const atStart = context.getRemainingTimeInMillis();
    now += 1_500;
    const later = context.getRemainingTimeInMillis();
    now += 10_000;
    const afterTimeout = context.getRemainingTimeInMillis();

    // Assess
    expect([atStart, later, afterTimeout]).toEqual([5_000, 3_500, 0]);
    expect(context).toMatchObject({
      awsRequestId: 'req-1',
      functionName: 'order-consumer',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:order-consumer',
      logGroupName: '/aws/lambda/order-consumer',
    });
  });
});
