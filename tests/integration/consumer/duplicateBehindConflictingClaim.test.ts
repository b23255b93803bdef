import type { SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SendMessageBatch } from '../../../../lambda/consumer/DeadLetterQueue.js';
import { createTestConsumer } from '../../../helpers/consumerHarness.js';
import {
  lambdaContextFactory,
  orderEventFactory,
  sqsEventFactory,
  sqsRecordFactory,
} from '../../../helpers/factories.js';
import { openTestDatabase, type TestDatabase } from '../../../helpers/testDatabase.js';

/** The DLQ URL the review tests give the consumer; nothing listens there. */
const DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/order-queue-dlq';

/** A `SendMessageBatch` that takes every entry and keeps it, for the tests to read. */
const capturingDeadLetters = (): {
  send: SendMessageBatch;
  entries: SendMessageBatchRequestEntry[];
} => {
  const entries: SendMessageBatchRequestEntry[] = [];
  const send: SendMessageBatch = async (request) => {
    entries.push(...(request.Entries ?? []));
    return {
      Successful: (request.Entries ?? []).map((entry) => ({
        Id: entry.Id,
        MessageId: `dlq-${entry.Id}`,
        MD5OfMessageBody: '',
      })),
      Failed: [],
    };
  };
  return { send, entries };
};

/** The original message id a dead letter carries. */
const originalIdOf = (entry: SendMessageBatchRequestEntry): string | undefined =>
  entry.MessageAttributes?.['DeadLetter.OriginalMessageId']?.StringValue;

let database: TestDatabase;

beforeAll(async () => {
  database = await openTestDatabase('review_behind_claim');
});

afterAll(async () => {
  await database.close();
});

describe('a copy of the stored order, in a batch behind a conflicting delivery of the same order_id', () => {
  it('is never dead-lettered: the orders collection holds exactly its content', async () => {
    // Prepare: the order is stored (by the legacy service, or by a delivery whose idempotency
    // record has expired); the same batch brings a conflicting delivery first, then a copy
    const dlq = capturingDeadLetters();
    const { handler, lines } = createTestConsumer(database.client, database.databaseName, {
      environment: { POISON_MESSAGES: 'dead-letter-now', DLQ_URL },
      sendMessageBatch: dlq.send,
    });
    const event = orderEventFactory();
    await handler(sqsEventFactory([sqsRecordFactory(event)]), lambdaContextFactory());
    await database.db.collection('idempotency').deleteMany({});
    const conflicting = sqsRecordFactory({ ...event, user_id: 'U-other' });
    const copy = sqsRecordFactory(event);

    // Act
    await handler(sqsEventFactory([conflicting, copy]), lambdaContextFactory());

    // Assess: the conflicting delivery belongs in the DLQ. The copy may at most be retried (the
    // other held the claim); it is dead-lettered instead, as "order-conflict: content differs
    // from an earlier delivery", because its payload was validated against the conflicting
    // delivery's INPROGRESS claim, whose content was never stored.
    expect(
      await database.db.collection('orders').findOne({ _id: event.order_id as never }),
    ).toMatchObject({
      user_id: event.user_id,
    });
    const copyLine = lines.find((line) => line.messageId === copy.messageId);
    expect({
      deadLettered: dlq.entries.map(originalIdOf),
      copy: { reason: copyLine?.reason, error: copyLine?.error },
    }).toEqual({
      deadLettered: [conflicting.messageId],
      copy: expect.objectContaining({ reason: expect.not.stringMatching('order-conflict') }),
    });
  });
});
