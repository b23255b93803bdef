import {
  ChangeMessageVisibilityBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** Options of {@link peekQueue}. */
export interface PeekQueueOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** Most messages to read. */
  readonly max: number;
  /** How long read messages stay hidden while the listing goes on. */
  readonly holdSeconds?: number;
}

/**
 * Reads up to `max` messages without consuming them. SQS has no peek: messages are received (and
 * stay hidden, so each is read once) until a receive comes back empty, then made visible again at
 * once. Each listing adds one to their `ApproximateReceiveCount`; on a DLQ nothing acts on that.
 */
export const peekQueue = async (options: PeekQueueOptions): Promise<Message[]> => {
  const { sqs, queueUrl } = options;
  const seen = new Map<string, Message>();
  try {
    while (seen.size < options.max) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, options.max - seen.size),
          // A long poll asks every SQS server; a short one may miss messages that are there.
          WaitTimeSeconds: 1,
          VisibilityTimeout: options.holdSeconds ?? 60,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) break;
      for (const message of Messages) {
        if (message.MessageId !== undefined) seen.set(message.MessageId, message);
      }
    }
  } finally {
    await makeVisibleAgain(sqs, queueUrl, [...seen.values()]);
  }
  return [...seen.values()];
};

/** Makes received messages visible again at once (best effort: a hold ends by itself anyway). */
export const makeVisibleAgain = async (
  sqs: SQSClient,
  queueUrl: string,
  messages: readonly Message[],
): Promise<void> => {
  for (let start = 0; start < messages.length; start += 10) {
    const chunk = messages.slice(start, start + 10);
    // Best effort: a message not released becomes visible when its hold ends anyway.
    await sqs
      .send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      )
      .catch(() => undefined);
  }
};
