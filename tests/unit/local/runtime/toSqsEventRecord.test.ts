import { describe, expect, it } from 'vitest';
import { toSqsEventRecord } from '../../../../local/runtime/toSqsEventRecord.js';

describe('toSqsEventRecord', () => {
  it('maps a received message to the record Lambda delivers', () => {
    // Act
    const record = toSqsEventRecord(
      {
        MessageId: 'm1',
        ReceiptHandle: 'rh',
        Body: '{"a":1}',
        MD5OfBody: 'md5',
        Attributes: { ApproximateReceiveCount: '2', SentTimestamp: '1700000000000' },
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'order' },
          blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
        },
      },
      { queueArn: 'arn:aws:sqs:us-east-1:000000000000:order-queue', region: 'us-east-1' },
    );

    // Assess
    expect(record).toEqual({
      messageId: 'm1',
      receiptHandle: 'rh',
      body: '{"a":1}',
      attributes: { ApproximateReceiveCount: '2', SentTimestamp: '1700000000000' },
      messageAttributes: {
        kind: {
          dataType: 'String',
          stringValue: 'order',
          binaryValue: undefined,
          stringListValues: [],
          binaryListValues: [],
        },
        blob: {
          dataType: 'Binary',
          stringValue: undefined,
          binaryValue: 'AQID',
          stringListValues: [],
          binaryListValues: [],
        },
      },
      md5OfBody: 'md5',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:order-queue',
      awsRegion: 'us-east-1',
    });
  });

  it('refuses a message without a receipt handle', () => {
    expect(() =>
      toSqsEventRecord({ MessageId: 'm1' }, { queueArn: 'arn', region: 'us-east-1' }),
    ).toThrow('ReceiptHandle');
  });
});
