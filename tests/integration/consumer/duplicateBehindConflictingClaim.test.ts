import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestConsumer,
  keptDeadLetters,
  TEST_DEAD_LETTER_QUEUE_URL,
} from '../../helpers/consumerHarness.js';
import {
  lambdaContextFactory,
  orderEventFactory,
  sqsEventFactory,
  sqsRecordFactory,
} from '../../helpers/factories.js';
import { openTestDatabase, type TestDatabase } from '../../helpers/testDatabase.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await openTestDatabase('behind_claim');
});

afterAll(async () => {
  await database.close();
});

describe('a copy of the stored order, in a batch behind a conflicting delivery of the same order_id', () => {
  it('is never dead-lettered: the orders collection holds exactly its content', async () => {
    // Prepare: the order is stored (by the legacy service, or by a delivery whose idempotency
    // record has expired); the same batch brings a conflicting delivery first, then a copy
    const dlq = keptDeadLetters();
    const { handler, lines } = createTestConsumer(database.client, database.databaseName, {
      environment: { POISON_MESSAGES: 'dead-letter-now', DLQ_URL: TEST_DEAD_LETTER_QUEUE_URL },
      sendMessageBatch: dlq.send,
    });
    const event = orderEventFactory();
    await handler(sqsEventFactory([sqsRecordFactory(event)]), lambdaContextFactory());
    await database.db.collection('idempotency').deleteMany({});
    const conflicting = sqsRecordFactory({ ...event, user_id: 'U-other' });
    const copy = sqsRecordFactory(event);

    // Act
    await handler(sqsEventFactory([conflicting, copy]), lambdaContextFactory());

    // Assess: the conflicting delivery belongs in the DLQ. The copy met the other's claim in
    // progress, whose content was never stored: it is retried, never judged against that claim
    expect(
      await database.db.collection('orders').findOne({ _id: event.order_id as never }),
    ).toMatchObject({
      user_id: event.user_id,
    });
    const copyLine = lines.find((line) => line.messageId === copy.messageId);
    expect({
      deadLettered: dlq.originalIds(),
      copy: { reason: copyLine?.reason, error: copyLine?.error },
    }).toEqual({
      deadLettered: [conflicting.messageId],
      copy: expect.objectContaining({ reason: expect.not.stringMatching('order-conflict') }),
    });
  });
});
