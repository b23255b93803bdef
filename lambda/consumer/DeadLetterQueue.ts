import type {
  MessageAttributeValue,
  SendMessageBatchRequest,
  SendMessageBatchRequestEntry,
  SendMessageBatchResult,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { Coalescer } from '../shared/Coalescer.js';
import { formatIssues, InvalidOrderError, type OrderProcessingError } from '../shared/errors.js';

/**
 * Sends one `SendMessageBatch` request: an SQS client's `send`, whose `abortSignal` ends the
 * request when the invocation's time is up.
 */
export type SendMessageBatch = (
  input: SendMessageBatchRequest,
  options?: { readonly abortSignal?: AbortSignal },
) => Promise<SendMessageBatchResult>;

/**
 * The message attributes a dead letter carries, all under one prefix: `npm run dlq -- redrive`
 * strips them so that a redriven message is judged afresh.
 */
export const DEAD_LETTER_ATTRIBUTES = {
  /** The failure's reason code: `invalid-order` or `order-conflict`. */
  reason: 'DeadLetter.Reason',
  /** Why, in words: the contract's issue paths and messages, never a value from the body. */
  detail: 'DeadLetter.Detail',
  /** The message id the order queue gave the original. */
  messageId: 'DeadLetter.OriginalMessageId',
  sourceQueueArn: 'DeadLetter.SourceQueueArn',
  /** How many times the order queue had delivered it (1 unless a send failed before). */
  receiveCount: 'DeadLetter.ReceiveCount',
  /** The `order_id`, when the body had a valid one. */
  orderId: 'DeadLetter.OrderId',
  /** When the consumer dead-lettered it (ISO-8601). */
  time: 'DeadLetter.Time',
} as const;

/** The prefix of every {@link DEAD_LETTER_ATTRIBUTES} name. */
export const DEAD_LETTER_ATTRIBUTE_PREFIX = 'DeadLetter.';

/** A record that no delivery can store, and why. */
export interface PoisonRecord {
  readonly record: SQSRecord;
  readonly failure: OrderProcessingError;
  readonly orderId?: string;
}

/** Options of {@link DeadLetterQueue}. */
export interface DeadLetterQueueOptions {
  readonly queueUrl: string;
  readonly sendMessageBatch: SendMessageBatch;
  /** Time allowed to one send (the invocation's time left); unbounded when it returns undefined. */
  readonly timeoutMs?: () => number | undefined;
  readonly now?: () => Date;
}

// SQS: at most 10 attributes per message, 10 entries per batch request.
const MAX_ATTRIBUTES = 10;
const MAX_ENTRIES = 10;
const MAX_DETAIL_CHARACTERS = 1_000;

const detailOf = (failure: OrderProcessingError): string => {
  const text =
    failure instanceof InvalidOrderError ? formatIssues(failure.issues) : failure.message;
  return text.slice(0, MAX_DETAIL_CHARACTERS);
};

const stringAttribute = (value: string): MessageAttributeValue => ({
  DataType: 'String',
  StringValue: value,
});

// The event source mapping's attribute shape, back into the API's. Ours from an earlier dead
// letter (a message redriven with them) are dropped: this failure gets its own.
const originalAttributes = (record: SQSRecord): Record<string, MessageAttributeValue> =>
  Object.fromEntries(
    Object.entries(record.messageAttributes ?? {})
      .filter(([name]) => !name.startsWith(DEAD_LETTER_ATTRIBUTE_PREFIX))
      .map(([name, value]) => [
        name,
        {
          DataType: value.dataType,
          ...(value.stringValue === undefined ? {} : { StringValue: value.stringValue }),
          ...(value.binaryValue === undefined
            ? {}
            : { BinaryValue: Buffer.from(value.binaryValue, 'base64') }),
        },
      ]),
  );

// Settles with `work`, or rejects when `signal` aborts first: a client that ignores the signal
// still cannot hold the invocation past its deadline.
const beforeAbort = <T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> => {
  if (signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    if (signal.aborted) abort();
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
};

/**
 * The consumer's own way into the dead-letter queue, for records no retry can store: it copies
 * each one there (original body, original attributes, and its reason as attributes) and resolves
 * only once SQS has the copy, so the caller may then leave the record out of `batchItemFailures`.
 * A copy SQS did not take rejects: the record is then reported failed, and the queue redelivers it
 * as before. A message is never deleted without its copy.
 *
 * The poison records of one batch go out in one `SendMessageBatch` call (of 10 at most). A call
 * SQS refuses as a whole (over its size limit, say) sends each of its records the queue's way.
 */
export class DeadLetterQueue {
  readonly #queueUrl: string;
  readonly #sendMessageBatch: SendMessageBatch;
  readonly #now: () => Date;
  readonly #timeoutMs: () => number | undefined;
  readonly #sender = new Coalescer<PoisonRecord, void>((poison) => this.#sendAll(poison), {
    maxItems: MAX_ENTRIES,
  });

  constructor(options: DeadLetterQueueOptions) {
    this.#queueUrl = options.queueUrl;
    this.#sendMessageBatch = options.sendMessageBatch;
    this.#now = options.now ?? (() => new Date());
    this.#timeoutMs = options.timeoutMs ?? (() => undefined);
  }

  /**
   * Copies `poison` to the dead-letter queue; rejects when SQS did not take it, or did not answer
   * in time (it may then have taken it: a redelivery makes a second copy, never none).
   */
  send(poison: PoisonRecord): Promise<void> {
    return this.#sender.submit(poison);
  }

  async #sendAll(batch: readonly PoisonRecord[]): Promise<(undefined | Error)[]> {
    const answers: (undefined | Error)[] = batch.map(() => undefined);
    const entries: SendMessageBatchRequestEntry[] = [];
    for (const [index, poison] of batch.entries()) {
      const entry = this.#entryOf(poison, String(index));
      if (entry instanceof Error) answers[index] = entry;
      else entries.push(entry);
    }
    if (entries.length === 0) return answers;
    const limit = this.#timeoutMs();
    const abortSignal = limit === undefined ? undefined : AbortSignal.timeout(limit);
    const { Failed = [] } = await beforeAbort(
      this.#sendMessageBatch(
        { QueueUrl: this.#queueUrl, Entries: entries },
        abortSignal === undefined ? {} : { abortSignal },
      ),
      abortSignal,
    );
    for (const { Id, Code, Message } of Failed) {
      answers[Number(Id)] = new Error(`SQS did not take the dead letter: ${Code} ${Message ?? ''}`);
    }
    return answers;
  }

  #entryOf(poison: PoisonRecord, id: string): SendMessageBatchRequestEntry | Error {
    const { record, failure, orderId } = poison;
    const ours: Record<string, MessageAttributeValue> = {
      [DEAD_LETTER_ATTRIBUTES.reason]: stringAttribute(failure.reason),
      [DEAD_LETTER_ATTRIBUTES.detail]: stringAttribute(detailOf(failure)),
      [DEAD_LETTER_ATTRIBUTES.messageId]: stringAttribute(record.messageId),
      [DEAD_LETTER_ATTRIBUTES.sourceQueueArn]: stringAttribute(record.eventSourceARN),
      [DEAD_LETTER_ATTRIBUTES.receiveCount]: {
        DataType: 'Number',
        StringValue: record.attributes.ApproximateReceiveCount,
      },
      [DEAD_LETTER_ATTRIBUTES.time]: stringAttribute(this.#now().toISOString()),
      ...(orderId === undefined
        ? {}
        : { [DEAD_LETTER_ATTRIBUTES.orderId]: stringAttribute(orderId) }),
    };
    const theirs = originalAttributes(record);
    if (Object.keys(ours).length + Object.keys(theirs).length > MAX_ATTRIBUTES) {
      // Carrying ours would drop some of the producer's: the queue's redrive keeps them all.
      return new Error(
        `the message has ${Object.keys(theirs).length} attributes; with the dead-letter reason they would exceed ${MAX_ATTRIBUTES}`,
      );
    }
    return {
      Id: id,
      MessageBody: record.body,
      MessageAttributes: { ...theirs, ...ours },
    };
  }
}
