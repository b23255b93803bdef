import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import {
  DEAD_LETTER_ATTRIBUTE_PREFIX,
  DEAD_LETTER_ATTRIBUTES,
} from '../../lambda/consumer/DeadLetterQueue.js';

/** What the consumer attached to a message it dead-lettered itself. */
export interface DeadLetterReason {
  readonly reason: string;
  readonly detail: string;
  readonly orderId?: string;
  readonly sourceQueueArn?: string;
  readonly receiveCount?: string;
  readonly time?: string;
}

/** A DLQ message as operators look at it. */
export interface DeadLetter {
  /** Its id in the DLQ. */
  readonly messageId: string;
  /** The id the order queue gave it: the consumer's copies name it; a redriven message is it. */
  readonly originalMessageId: string;
  readonly body: string;
  readonly sentAt?: string;
  /** Why, as the consumer recorded it; absent for a message the queue's redrive moved. */
  readonly attached?: DeadLetterReason;
}

const text = (message: Message, name: string): string | undefined =>
  message.MessageAttributes?.[name]?.StringValue;

/** Reads a received DLQ message (received with `MessageAttributeNames: ['All']`). */
export const deadLetterOf = (message: Message): DeadLetter => {
  const messageId = message.MessageId ?? '?';
  const sent = Number(message.Attributes?.SentTimestamp);
  const reason = text(message, DEAD_LETTER_ATTRIBUTES.reason);
  const orderId = text(message, DEAD_LETTER_ATTRIBUTES.orderId);
  const optional = (key: keyof typeof DEAD_LETTER_ATTRIBUTES) => {
    const value = text(message, DEAD_LETTER_ATTRIBUTES[key]);
    return value === undefined ? {} : { [key]: value };
  };
  return {
    messageId,
    originalMessageId: text(message, DEAD_LETTER_ATTRIBUTES.messageId) ?? messageId,
    body: message.Body ?? '',
    ...(Number.isFinite(sent) ? { sentAt: new Date(sent).toISOString() } : {}),
    ...(reason === undefined
      ? {}
      : {
          attached: {
            reason,
            detail: text(message, DEAD_LETTER_ATTRIBUTES.detail) ?? '',
            ...(orderId === undefined ? {} : { orderId }),
            ...optional('sourceQueueArn'),
            ...optional('receiveCount'),
            ...optional('time'),
          },
        }),
  };
};

/**
 * The DLQ's messages, one per original message: a crash between the consumer's send and its
 * answer can leave a second copy of one message, which is the same dead letter.
 */
export const uniqueDeadLetters = (
  letters: readonly DeadLetter[],
): { readonly letter: DeadLetter; readonly copies: number }[] => {
  const byOriginal = new Map<string, { letter: DeadLetter; copies: number }>();
  for (const letter of letters) {
    const seen = byOriginal.get(letter.originalMessageId);
    if (seen === undefined) byOriginal.set(letter.originalMessageId, { letter, copies: 1 });
    else seen.copies++;
  }
  return [...byOriginal.values()];
};

/** A message's attributes without the consumer's dead-letter ones: a redriven message is judged afresh. */
export const withoutDeadLetterAttributes = (
  attributes: Record<string, MessageAttributeValue> | undefined,
): Record<string, MessageAttributeValue> | undefined => {
  const kept = Object.entries(attributes ?? {}).filter(
    ([name]) => !name.startsWith(DEAD_LETTER_ATTRIBUTE_PREFIX),
  );
  return kept.length === 0 ? undefined : Object.fromEntries(kept);
};
