import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSMessageAttribute, SQSRecord, SQSRecordAttributes } from 'aws-lambda';

const base64 = (bytes: Uint8Array | undefined): string | undefined =>
  bytes === undefined ? undefined : Buffer.from(bytes).toString('base64');

const toLambdaAttribute = (value: MessageAttributeValue): SQSMessageAttribute => ({
  stringValue: value.StringValue,
  binaryValue: base64(value.BinaryValue),
  stringListValues: value.StringListValues ?? [],
  binaryListValues: (value.BinaryListValues ?? []).map((bytes) => base64(bytes) ?? ''),
  dataType: (value.DataType ?? 'String') as SQSMessageAttribute['dataType'],
});

/**
 * Maps a received SQS message to the record Lambda's event source mapping delivers: camelCase keys,
 * system attributes under `attributes`, binary values in base64, and the queue's ARN and region.
 *
 * @throws when the message lacks an id or a receipt handle, which SQS always returns.
 */
export const toSqsEventRecord = (
  message: Message,
  source: { readonly queueArn: string; readonly region: string },
): SQSRecord => {
  if (message.MessageId === undefined || message.ReceiptHandle === undefined) {
    throw new Error('SQS returned a message without MessageId or ReceiptHandle');
  }
  const attributes = (message.Attributes ?? {}) as Record<string, string>;
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body ?? '',
    attributes: attributes as unknown as SQSRecordAttributes,
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        toLambdaAttribute(value),
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes === undefined
      ? {}
      : { md5OfMessageAttributes: message.MD5OfMessageAttributes }),
    eventSource: 'aws:sqs',
    eventSourceARN: source.queueArn,
    awsRegion: source.region,
  };
};
