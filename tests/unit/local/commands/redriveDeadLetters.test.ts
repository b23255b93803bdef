import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { redriveDeadLetters } from '../../../../local/commands/redriveDeadLetters.js';

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/order-queue';
const DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/order-queue-dlq';
const sqsMock = mockClient(SQSClient);

const redrive = (moveTask = false) =>
  redriveDeadLetters({
    sqs: new SQSClient({ region: 'us-east-1' }),
    deadLetterQueueUrl: DLQ_URL,
    queueUrl: QUEUE_URL,
    moveTask,
    taskPollMs: 1,
  });

beforeEach(() => {
  sqsMock
    .on(GetQueueAttributesCommand, { QueueUrl: DLQ_URL })
    .resolves({ Attributes: { QueueArn: 'arn:aws:sqs:us-east-1:123456789012:order-queue-dlq' } })
    .on(GetQueueAttributesCommand, { QueueUrl: QUEUE_URL })
    .resolves({ Attributes: { QueueArn: 'arn:aws:sqs:us-east-1:123456789012:order-queue' } });
});

afterEach(() => {
  sqsMock.reset();
});

describe('redriveDeadLetters', () => {
  it('lets SQS move the messages with a message move task when asked and the endpoint has one', async () => {
    // Prepare
    sqsMock.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    sqsMock
      .on(ListMessageMoveTasksCommand)
      .resolvesOnce({
        Results: [{ TaskHandle: 'task-1', Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 3 }],
      })
      .resolves({
        Results: [
          { TaskHandle: 'task-1', Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 7 },
        ],
      });

    // Act
    const result = await redrive(true);

    // Assess
    expect(result).toEqual({ method: 'message-move-task', moved: 7, failed: 0 });
    expect(sqsMock.commandCalls(StartMessageMoveTaskCommand)[0]?.args[0].input).toEqual({
      SourceArn: 'arn:aws:sqs:us-east-1:123456789012:order-queue-dlq',
      DestinationArn: 'arn:aws:sqs:us-east-1:123456789012:order-queue',
    });
    expect(sqsMock.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
  });

  it('falls back to receive, send, delete where the endpoint has no move task, and deletes only what was sent', async () => {
    // Prepare
    sqsMock
      .on(StartMessageMoveTaskCommand)
      .rejects(Object.assign(new Error('Unknown action'), { name: 'InvalidAction' }));
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          { MessageId: 'm1', ReceiptHandle: 'rh1', Body: 'one' },
          { MessageId: 'm2', ReceiptHandle: 'rh2', Body: 'two' },
        ],
      })
      .resolves({});
    sqsMock.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: '0', MessageId: 'n1', MD5OfMessageBody: '' }],
      Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }],
    });
    sqsMock.on(DeleteMessageBatchCommand).resolves({ Successful: [{ Id: '0' }] });

    // Act
    const result = await redrive(true);

    // Assess
    expect(result).toEqual({ method: 'receive-send-delete', moved: 1, failed: 1 });
    expect(sqsMock.commandCalls(SendMessageBatchCommand)[0]?.args[0].input).toMatchObject({
      QueueUrl: QUEUE_URL,
      Entries: [
        { Id: '0', MessageBody: 'one' },
        { Id: '1', MessageBody: 'two' },
      ],
    });
    expect(sqsMock.commandCalls(DeleteMessageBatchCommand)[0]?.args[0].input).toEqual({
      QueueUrl: DLQ_URL,
      Entries: [{ Id: '0', ReceiptHandle: 'rh1' }],
    });
  });

  it('deletes nothing when the send fails outright', async () => {
    // Prepare
    sqsMock
      .on(ReceiveMessageCommand)
      .resolves({ Messages: [{ MessageId: 'm1', ReceiptHandle: 'rh1', Body: 'one' }] });
    sqsMock.on(SendMessageBatchCommand).rejects(new Error('connection reset'));

    // Act & Assess
    await expect(redrive()).rejects.toThrow('connection reset');
    expect(sqsMock.commandCalls(DeleteMessageBatchCommand)).toHaveLength(0);
    expect(sqsMock.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0);
  });

  it("sends a message back without the consumer's dead-letter reason, so it is judged afresh", async () => {
    // Prepare
    const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          {
            MessageId: 'm1',
            ReceiptHandle: 'rh1',
            Body: 'one',
            MessageAttributes: {
              traceparent: attribute('00-abc-def-01'),
              'DeadLetter.Reason': attribute('invalid-order'),
              'DeadLetter.OriginalMessageId': attribute('orig-1'),
            },
          },
        ],
      })
      .resolves({});
    sqsMock.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: '0', MessageId: 'n1', MD5OfMessageBody: '' }],
      Failed: [],
    });
    sqsMock.on(DeleteMessageBatchCommand).resolves({ Successful: [{ Id: '0' }] });

    // Act
    const result = await redrive();

    // Assess
    expect(result).toEqual({ method: 'receive-send-delete', moved: 1, failed: 0 });
    expect(sqsMock.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries).toEqual([
      {
        Id: '0',
        MessageBody: 'one',
        MessageAttributes: { traceparent: attribute('00-abc-def-01') },
      },
    ]);
  });

  it('moves only what was in the DLQ when it began, and leaves what arrived since visible', async () => {
    // Prepare: one dead letter from before, and one a redriven poison message just became
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          {
            MessageId: 'old',
            ReceiptHandle: 'rh-old',
            Body: 'old',
            Attributes: { SentTimestamp: '1000' },
          },
          {
            MessageId: 'new',
            ReceiptHandle: 'rh-new',
            Body: 'new',
            Attributes: { SentTimestamp: String(Date.now() + 60_000) },
          },
        ],
      })
      .resolves({
        Messages: [
          {
            MessageId: 'new',
            ReceiptHandle: 'rh-new-2',
            Body: 'new',
            Attributes: { SentTimestamp: String(Date.now() + 60_000) },
          },
        ],
      });
    sqsMock.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: '0', MessageId: 'n1', MD5OfMessageBody: '' }],
      Failed: [],
    });
    sqsMock.on(DeleteMessageBatchCommand).resolves({ Successful: [{ Id: '0' }] });
    sqsMock.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });

    // Act
    const result = await redrive();

    // Assess
    expect(result).toEqual({ method: 'receive-send-delete', moved: 1, failed: 0 });
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries).toEqual([
      { Id: '0', MessageBody: 'old' },
    ]);
    const released = sqsMock
      .commandCalls(ChangeMessageVisibilityBatchCommand)
      .flatMap((call) => call.args[0].input.Entries ?? []);
    expect(released.map((entry) => entry.ReceiptHandle)).toEqual(['rh-new', 'rh-new-2']);
  });
});
