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
  database = await openTestDatabase('resend_timestamp');
});

afterAll(async () => {
  await database.close();
});

const consumer = () => {
  const dlq = keptDeadLetters();
  const consumer = createTestConsumer(database.client, database.databaseName, {
    environment: { POISON_MESSAGES: 'dead-letter-now', DLQ_URL: TEST_DEAD_LETTER_QUEUE_URL },
    sendMessageBatch: dlq.send,
  });
  return { ...consumer, dlq };
};

// The same instant, written as the producer's serializer may write it on a resend.
const SAME_INSTANT = ['2024-01-01T11:00:00.000Z', '2024-01-01T11:00:00+00:00'];

describe('a resend whose timestamp is the same instant written differently', () => {
  it('is the same order to the orders collection (control: idempotency record gone)', async () => {
    // Prepare
    const { handler, lines, dlq } = consumer();
    const event = orderEventFactory({ timestamp: '2024-01-01T11:00:00Z' });
    await handler(sqsEventFactory([sqsRecordFactory(event)]), lambdaContextFactory());
    await database.db.collection('idempotency').deleteMany({});
    const resends = SAME_INSTANT.map((timestamp) => sqsRecordFactory({ ...event, timestamp }));

    // Act
    const responses = [];
    for (const resend of resends) {
      responses.push(await handler(sqsEventFactory([resend]), lambdaContextFactory()));
      await database.db.collection('idempotency').deleteMany({});
    }

    // Assess: differingField compares timestamps as instants
    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect(dlq.entries).toEqual([]);
    for (const resend of resends) {
      expect(lines).toContainEqual(
        expect.objectContaining({ messageId: resend.messageId, outcome: 'already-stored' }),
      );
    }
  });

  it('is not dead-lettered as a conflict while the idempotency record of the first delivery exists', async () => {
    // Prepare
    const { handler, lines, dlq } = consumer();
    const event = orderEventFactory({ timestamp: '2024-01-01T11:00:00Z' });
    await handler(sqsEventFactory([sqsRecordFactory(event)]), lambdaContextFactory());
    const resends = SAME_INSTANT.map((timestamp) => sqsRecordFactory({ ...event, timestamp }));

    // Act
    const response = await handler(sqsEventFactory(resends), lambdaContextFactory());

    // Assess: the record's hash is of the instant, as the orders collection compares it, so the
    // same order is a duplicate (one of the two may meet the other in progress: retried)
    const deadLettered = dlq.originalIds();
    const reasons = lines
      .filter((line) => resends.some((r) => r.messageId === line.messageId))
      .map((line) => ({ messageId: line.messageId, reason: line.reason, outcome: line.outcome }));
    expect({ deadLettered, reasons }).toEqual({
      deadLettered: [],
      reasons: expect.not.arrayContaining([expect.objectContaining({ reason: 'order-conflict' })]),
    });
    expect(response.batchItemFailures.length).toBeLessThanOrEqual(1);
  });
});
