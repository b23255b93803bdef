import { randomUUID } from 'node:crypto';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';

/** A valid order event body (as an object), legacy shape, with a unique `order_id`. */
export const orderEventFactory = (
  overrides: Record<string, unknown> = {},
): Record<string, unknown> => ({
  order_id: `ORD-${randomUUID()}`,
  user_id: 'U-42',
  items: [{ item_id: 'P1', quantity: 2, price: 25.0 }],
  total_amount: 50.0,
  timestamp: '2024-01-01T11:00:00Z',
  ...overrides,
});

/** An SQS record as the event source mapping delivers it; `body` objects are JSON-encoded. */
export const sqsRecordFactory = (
  body: string | Record<string, unknown>,
  overrides: Partial<SQSRecord> = {},
): SQSRecord => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    messageId: randomUUID(),
    receiptHandle: `AQEB${randomUUID()}`,
    body: text,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:order-queue',
    awsRegion: 'us-east-1',
    ...overrides,
  };
};

/** An SQS event holding the given records. */
export const sqsEventFactory = (records: SQSRecord[]): SQSEvent => ({ Records: records });

/** A Lambda context whose remaining time counts down from `remainingMs`. */
export const lambdaContextFactory = (remainingMs = 30_000): Context => {
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'order-consumer',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:order-consumer',
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/order-consumer',
    logStreamName: '2024/01/01/[$LATEST]abc',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};
