import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEAD_LETTER_ATTRIBUTE_PREFIX } from '../../../../lambda/consumer/DeadLetterQueue.js';
import { ORDER_METRICS } from '../../../../lambda/consumer/orderMetrics.js';
import { configDefaults } from '../../../../lambda/shared/config.js';
import { peekQueue } from '../../../../local/commands/peekQueue.js';
import { defaultSettings } from '../../../../settings/serviceSettings.js';
import { orderEventFactory } from '../../../helpers/factories.js';
import { runCommand } from '../../../helpers/runCommand.js';
import { expectEachStoredOnce } from './expectEachStoredOnce.js';
import { FUNCTION_TIMEOUT_MS, VISIBILITY_TIMEOUT_MS } from './faultTimings.js';
import { type QueuedConsumers, startQueuedConsumers } from './startQueuedConsumers.js';

// Two receives of four seconds each before the queue's redrive moves a poison message.
const MAX_RECEIVE_COUNT = 2;
// The receives a poison message gets, a visibility timeout apart, and the one that moves it.
const REDRIVE_MS = (MAX_RECEIVE_COUNT + 1) * VISIBILITY_TIMEOUT_MS;

describe('the dead-letter queue cannot be written', () => {
  let queued: QueuedConsumers | undefined;

  afterEach(async () => {
    await queued?.stop();
    queued = undefined;
  });

  it('loses nothing: poison messages fail until the queue moves them to the DLQ, where dlq list explains them by re-validating', async () => {
    // Prepare: the consumer's DLQ_URL names a queue that does not exist; one order stored first
    queued = await startQueuedConsumers('dlq_unreachable', {
      visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_MS / 1000,
      functionTimeoutMs: FUNCTION_TIMEOUT_MS,
      pollers: 1,
      batchSize: defaultSettings.batchSize,
      maxReceiveCount: MAX_RECEIVE_COUNT,
      deadLetterQueueUrl: ({ deadLetterQueueUrl }) => `${deadLetterQueueUrl}-missing`,
    });
    const running = queued;
    const stored = orderEventFactory();
    const storedId = String(stored.order_id);
    await running.send([JSON.stringify(stored)]);
    await running.start();
    await running.waitUntilDrained(VISIBILITY_TIMEOUT_MS);
    const later = orderEventFactory();
    const bodies = [
      JSON.stringify(orderEventFactory({ items: [] })),
      JSON.stringify({ ...stored, total_amount: 51 }),
      JSON.stringify(later),
    ];

    // Act
    const [invalidId, conflictingId] = await running.send(bodies);
    const poisonIds = [invalidId, conflictingId].map(String);
    await vi.waitFor(async () => expect(await running.deadLettered()).toBe(poisonIds.length), {
      timeout: REDRIVE_MS,
      interval: 100,
    });
    await running.waitUntilDrained(VISIBILITY_TIMEOUT_MS);
    const letters = await peekQueue({
      sqs: running.sqs,
      queueUrl: running.queues.deadLetterQueueUrl,
      max: 10,
    });
    const listed = await runCommand('dlq', ['list', '--json'], {
      QUEUE_URL: running.queues.queueUrl,
      DLQ_URL: running.queues.deadLetterQueueUrl,
      AWS_ENDPOINT_URL: running.sqsEndpoint,
      AWS_REGION: running.region,
      MONGO_URI: running.database.uri,
      MONGO_DB_NAME: running.database.databaseName,
    });

    // Assess: each poison message was reported failed on every receive, never deleted
    for (const id of poisonIds) {
      const deliveries = running.reports.filter((report) => report.messageIds.includes(id));
      expect(deliveries.map((report) => report.deletedMessageIds.includes(id))).toEqual(
        Array.from({ length: MAX_RECEIVE_COUNT }, () => false),
      );
    }
    const deadLetterFailures = running.consumers.reduce(
      (sum, consumer) => sum + (consumer.metrics.get(ORDER_METRICS.deadLetterFailures) ?? 0),
      0,
    );
    expect(deadLetterFailures).toBe(poisonIds.length * MAX_RECEIVE_COUNT);
    // Assess: the queue moved the messages themselves, without the consumer's reasons
    expect(letters.map((letter) => [letter.MessageId, letter.Body]).sort()).toEqual(
      poisonIds.map((id, index) => [id, bodies[index]]).sort(),
    );
    for (const letter of letters) {
      expect(
        Object.keys(letter.MessageAttributes ?? {}).filter((name) =>
          name.startsWith(DEAD_LETTER_ATTRIBUTE_PREFIX),
        ),
      ).toEqual([]);
    }
    // Assess: dlq list recomputes why, from the contract and the stored order
    expect(listed.code).toBe(0);
    const explained = listed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(explained).toHaveLength(poisonIds.length);
    expect(explained).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          originalMessageId: invalidId,
          attached: false,
          reason: 'invalid-order',
          issues: [{ path: 'items', message: 'must contain at least one item' }],
        }),
        expect.objectContaining({
          originalMessageId: conflictingId,
          attached: false,
          reason: 'order-conflict',
          orderId: storedId,
          field: 'total_amount',
        }),
      ]),
    );
    // Assess: the valid orders are stored once, the first one unchanged
    await expectEachStoredOnce(
      running.database.db,
      [storedId, String(later.order_id)],
      running.consumers.map((consumer) => consumer.orders.created),
    );
    expect(
      await running.database.db
        .collection<{ _id: string }>(configDefaults.ORDERS_COLLECTION)
        .findOne({ _id: storedId }),
    ).toMatchObject({ total_amount: 50 });
  });
});
