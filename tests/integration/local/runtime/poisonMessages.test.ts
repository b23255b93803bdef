import { type Message, PurgeQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEAD_LETTER_ATTRIBUTES } from '../../../../lambda/consumer/DeadLetterQueue.js';
import { configDefaults } from '../../../../lambda/shared/config.js';
import { peekQueue } from '../../../../local/commands/peekQueue.js';
import type { InvocationReport } from '../../../../local/runtime/EventSourceMappingEmulator.js';
import {
  type LocalRuntime,
  startLocalRuntime,
} from '../../../../local/runtime/startLocalRuntime.js';
import { orderEventFactory } from '../../../helpers/factories.js';
import { openTestDatabase, type TestDatabase } from '../../../helpers/testDatabase.js';

let database: TestDatabase;
let runtime: LocalRuntime;
const reports: InvocationReport[] = [];

/**
 * Within the visibility timeout a message is received once at most: what happened by then
 * happened on its first receive.
 */
const firstReceiveMs = () => runtime.settings.visibilityTimeoutSeconds * 1000;

const orders = () =>
  database.db.collection<{ _id: string; total_amount: number }>(configDefaults.ORDERS_COLLECTION);

const depths = async () => {
  const { queue, deadLetterQueue } = await runtime.queueDepth();
  return {
    queue: queue.visible + queue.inFlight + queue.delayed,
    deadLetterQueue: deadLetterQueue.visible + deadLetterQueue.inFlight,
  };
};

const send = async (body: string): Promise<string> => {
  const { MessageId } = await runtime.sqs.send(
    new SendMessageCommand({ QueueUrl: runtime.queueUrl, MessageBody: body }),
  );
  return MessageId ?? '';
};

/**
 * Sends `body` and waits, within its first receive, for the order queue to be empty and the DLQ
 * to hold one message; returns the original's id, when it was sent, and the DLQ's message.
 */
const sendPoison = async (body: string) => {
  const sentAt = new Date();
  const messageId = await send(body);
  await vi.waitFor(async () => expect(await depths()).toEqual({ queue: 0, deadLetterQueue: 1 }), {
    timeout: firstReceiveMs(),
    interval: 50,
  });
  const letters = await peekQueue({
    sqs: runtime.sqs,
    queueUrl: runtime.deadLetterQueueUrl,
    max: 10,
  });
  return { messageId, sentAt, letters };
};

const attributesOf = (letter: Message | undefined): Record<string, string | undefined> =>
  Object.fromEntries(
    Object.entries(letter?.MessageAttributes ?? {}).map(([name, value]) => [
      name,
      value.StringValue,
    ]),
  );

/** What the consumer attaches to every dead letter: the original, where from, when, which receive. */
const expectCopyOf = (
  letter: Message | undefined,
  original: { messageId: string; sentAt: Date; body: string },
) => {
  const attributes = attributesOf(letter);
  expect(letter?.Body).toBe(original.body);
  expect(attributes).toMatchObject({
    [DEAD_LETTER_ATTRIBUTES.messageId]: original.messageId,
    [DEAD_LETTER_ATTRIBUTES.sourceQueueArn]: runtime.queueArn,
    [DEAD_LETTER_ATTRIBUTES.receiveCount]: '1',
  });
  const time = Date.parse(attributes[DEAD_LETTER_ATTRIBUTES.time] ?? '');
  expect(time).toBeGreaterThanOrEqual(original.sentAt.getTime());
  expect(time).toBeLessThanOrEqual(Date.now());
  // One invocation received it, once, and the event source mapping deleted it.
  expect(
    reports
      .filter((report) => report.messageIds.includes(original.messageId))
      .map((report) => report.deletedMessageIds.includes(original.messageId)),
  ).toEqual([true]);
};

beforeAll(async () => {
  database = await openTestDatabase('poison_messages');
  runtime = await startLocalRuntime({
    mongoUri: database.uri,
    databaseName: database.databaseName,
    // Seconds, not minutes; POISON_MESSAGES is left at its default, dead-letter-now.
    settings: {
      consumerTimeoutSeconds: 2,
      visibilityTimeoutSeconds: 4,
      maxReceiveCount: 2,
      maxBatchingWindowSeconds: 0,
    },
    pollers: 1,
    logSink: () => undefined,
    log: () => undefined,
    onInvocation: (report) => reports.push(report),
  });
});

beforeEach(async () => {
  for (const queueUrl of [runtime.queueUrl, runtime.deadLetterQueueUrl]) {
    await runtime.sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
  }
  await vi.waitFor(async () => expect(await depths()).toEqual({ queue: 0, deadLetterQueue: 0 }), {
    timeout: firstReceiveMs(),
  });
});

afterAll(async () => {
  await runtime?.stop();
  await database?.close();
});

describe('poison messages with the default settings', () => {
  it('moves an invalid order to the DLQ on its first receive, with its issues and none of its values', async () => {
    // Prepare: no order_id to read, and a value that must not reach the reason
    const secret = 'SECRET-4711';
    const { order_id: _, ...withoutId } = orderEventFactory({ total_amount: secret });
    const body = JSON.stringify(withoutId);

    // Act
    const { messageId, sentAt, letters } = await sendPoison(body);

    // Assess
    expect(letters).toHaveLength(1);
    expectCopyOf(letters[0], { messageId, sentAt, body });
    const attributes = attributesOf(letters[0]);
    expect(attributes[DEAD_LETTER_ATTRIBUTES.reason]).toBe('invalid-order');
    const detail = attributes[DEAD_LETTER_ATTRIBUTES.detail] ?? '';
    expect(detail).toMatch(/^order_id: .+; total_amount: .+$/);
    for (const value of [secret, withoutId.user_id, withoutId.timestamp]) {
      expect(detail).not.toContain(value);
    }
    expect(attributes).not.toHaveProperty(DEAD_LETTER_ATTRIBUTES.orderId);
  });

  it('moves an order conflicting with a stored one to the DLQ on its first receive, with its order id, and keeps the stored one', async () => {
    // Prepare: the order stored, its message gone from the queue
    const order = orderEventFactory();
    const orderId = String(order.order_id);
    await send(JSON.stringify(order));
    await vi.waitFor(
      async () => {
        expect(await orders().countDocuments({ _id: orderId })).toBe(1);
        expect(await depths()).toEqual({ queue: 0, deadLetterQueue: 0 });
      },
      { timeout: firstReceiveMs(), interval: 50 },
    );
    const body = JSON.stringify({ ...order, total_amount: 999_999 });

    // Act
    const { messageId, sentAt, letters } = await sendPoison(body);

    // Assess
    expect(letters).toHaveLength(1);
    expectCopyOf(letters[0], { messageId, sentAt, body });
    const attributes = attributesOf(letters[0]);
    expect(attributes).toMatchObject({
      [DEAD_LETTER_ATTRIBUTES.reason]: 'order-conflict',
      [DEAD_LETTER_ATTRIBUTES.orderId]: orderId,
    });
    expect(attributes[DEAD_LETTER_ATTRIBUTES.detail]).not.toContain('999999');
    expect(await orders().findOne({ _id: orderId })).toMatchObject({ total_amount: 50 });
  });
});
