import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { withoutDeadLetterAttributes } from './deadLetters.js';
import { makeVisibleAgain } from './peekQueue.js';

/** Options of {@link redriveDeadLetters}. */
export interface RedriveOptions {
  readonly sqs: SQSClient;
  readonly deadLetterQueueUrl: string;
  /** Where the messages go back to: the order queue. */
  readonly queueUrl: string;
  /**
   * Use SQS's own message move task (AWS, LocalStack): fast for a large DLQ, but it keeps every
   * attribute, the consumer's dead-letter reason included (the consumer ignores and replaces it).
   */
  readonly moveTask?: boolean;
  /** How long to wait for a move task to finish. */
  readonly taskTimeoutMs?: number;
  /** Pause between two looks at a running move task. */
  readonly taskPollMs?: number;
  readonly onProgress?: (moved: number) => void;
}

/** What a redrive did. */
export interface RedriveResult {
  /** `message-move-task`: SQS moved them itself; `receive-send-delete`: this process did. */
  readonly method: 'message-move-task' | 'receive-send-delete';
  readonly moved: number;
  /** Messages that could not be sent back; they stay in the DLQ. */
  readonly failed: number;
}

// What endpoints without message move tasks (fauxqs, older emulators) answer.
const UNSUPPORTED = new Set([
  'InvalidAction',
  'UnsupportedOperation',
  'UnknownOperationException',
  'NotImplemented',
  'InvalidParameterValue',
]);

const arnOf = async (sqs: SQSClient, queueUrl: string): Promise<string> => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  if (Attributes?.QueueArn === undefined) throw new Error(`No QueueArn for ${queueUrl}`);
  return Attributes.QueueArn;
};

const moveWithTask = async (options: RedriveOptions): Promise<RedriveResult | undefined> => {
  const { sqs } = options;
  const sourceArn = await arnOf(sqs, options.deadLetterQueueUrl);
  const destinationArn = await arnOf(sqs, options.queueUrl);
  let taskHandle: string | undefined;
  try {
    ({ TaskHandle: taskHandle } = await sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: sourceArn, DestinationArn: destinationArn }),
    ));
  } catch (error) {
    if (UNSUPPORTED.has((error as { name?: string }).name ?? '')) return undefined;
    throw error;
  }
  const deadline = Date.now() + (options.taskTimeoutMs ?? 300_000);
  while (Date.now() < deadline) {
    const { Results = [] } = await sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 10 }),
    );
    const task = Results.find((result) => result.TaskHandle === taskHandle) ?? Results[0];
    const moved = Number(task?.ApproximateNumberOfMessagesMoved ?? 0);
    options.onProgress?.(moved);
    if (task?.Status === 'COMPLETED') return { method: 'message-move-task', moved, failed: 0 };
    if (task?.Status === 'FAILED' || task?.Status === 'CANCELLED') {
      const left = Number(task.ApproximateNumberOfMessagesToMove ?? 0) - moved;
      return { method: 'message-move-task', moved, failed: Math.max(0, left) };
    }
    await new Promise((resolve) => setTimeout(resolve, options.taskPollMs ?? 1_000));
  }
  throw new Error(
    `The message move task ${taskHandle} did not finish in time; check it in the console`,
  );
};

/**
 * Receive from the DLQ, send to the queue without the consumer's dead-letter attributes (so that it
 * is judged afresh), and only then delete from the DLQ: a message is in at least one queue at every
 * moment. A crash between the send and the delete leaves a copy in both; the consumer's idempotency
 * (per `order_id`) makes the second delivery a no-op.
 *
 * Only what was in the DLQ when the redrive began is moved: a poison message redriven comes back
 * within seconds as a new dead letter, which would otherwise be moved again and again. What arrived
 * since (by the DLQ's `SentTimestamp`) is left, visible, for the next look.
 */
const moveByHand = async (options: RedriveOptions): Promise<RedriveResult> => {
  const { sqs } = options;
  const startedAt = Date.now();
  const arrivedSince: Message[] = [];
  let moved = 0;
  let failed = 0;
  try {
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.deadLetterQueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          // Long enough to send and delete; a message we fail to send reappears after it.
          VisibilityTimeout: 60,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['SentTimestamp'],
        }),
      );
      const earlier = Messages.filter(
        (message) => Number(message.Attributes?.SentTimestamp ?? 0) <= startedAt,
      );
      arrivedSince.push(...Messages.filter((message) => !earlier.includes(message)));
      if (earlier.length === 0) break;
      const { Successful = [], Failed = [] } = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: earlier.map((message, index) => ({
            Id: String(index),
            MessageBody: message.Body ?? '',
            MessageAttributes: withoutDeadLetterAttributes(message.MessageAttributes),
          })),
        }),
      );
      failed += Failed.length;
      const sent = Successful.map((entry) => earlier[Number(entry.Id)]).filter(
        (message): message is Message => message !== undefined,
      );
      if (sent.length > 0) {
        const deleted = await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: options.deadLetterQueueUrl,
            Entries: sent.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle,
            })),
          }),
        );
        moved += deleted.Successful?.length ?? 0;
        options.onProgress?.(moved);
      }
      // Nothing went through: stop rather than receive the same messages again and again.
      if (sent.length === 0) break;
    }
  } finally {
    await makeVisibleAgain(sqs, options.deadLetterQueueUrl, arrivedSince);
  }
  return { method: 'receive-send-delete', moved, failed };
};

/**
 * Moves every DLQ message back to the order queue: by receive → send → delete, or, when asked and
 * where the endpoint supports it, with StartMessageMoveTask.
 */
export const redriveDeadLetters = async (options: RedriveOptions): Promise<RedriveResult> =>
  (options.moveTask ? await moveWithTask(options) : undefined) ?? moveByHand(options);
