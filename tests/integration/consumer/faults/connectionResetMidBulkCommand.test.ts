import type { SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { CommandStartedEvent } from 'mongodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEAD_LETTER_ATTRIBUTES } from '../../../../lambda/consumer/DeadLetterQueue.js';
import { ORDER_METRICS } from '../../../../lambda/consumer/orderMetrics.js';
import { configDefaults } from '../../../../lambda/shared/config.js';
import { defaultSettings } from '../../../../settings/serviceSettings.js';
import { keptDeadLetters, TEST_DEAD_LETTER_QUEUE_URL } from '../../../helpers/consumerHarness.js';
import {
  lambdaContextFactory,
  orderEventFactory,
  sqsEventFactory,
  sqsRecordFactory,
} from '../../../helpers/factories.js';
import type { TestDeadLetters } from './buildTestConsumer.js';
import { expectEachStoredOnce } from './expectEachStoredOnce.js';
import { FUNCTION_TIMEOUT_MS, VISIBILITY_TIMEOUT_MS } from './faultTimings.js';
import { Gate } from './Gate.js';
import { redeliverUntilSettled } from './redeliverUntilSettled.js';
import { type ProxiedConsumer, startProxiedConsumer } from './startProxiedConsumer.js';
import { idempotencyKeyOf, readStoredOrders, type StoredOrder } from './storedOrders.js';

/** One coalesced command of a batch, to be cut while it is in flight. */
interface BulkCommand {
  readonly name: string;
  /** Whether a command the consumer starts is this one. */
  readonly is: (event: CommandStartedEvent) => boolean;
  /** The `_id` each statement of the command writes. */
  readonly writes: (event: CommandStartedEvent) => string[];
  /** The `_id` an order's statement writes. */
  readonly idOf: (orderId: string) => string;
  /** Whether the server has carried out the order's statement, read straight from MongoDB. */
  readonly carriedOut: (order: StoredOrder | undefined) => boolean;
  /**
   * What becomes of the records it carried: `redelivered` when their orders' fate is unknown,
   * `deleted` when their orders are stored and only their idempotency records' answer was lost
   * (a claim not completed goes stale with the invocation; a later delivery takes it over).
   */
  readonly records: 'redelivered' | 'deleted';
}

const BULK_COMMANDS: readonly BulkCommand[] = [
  {
    name: 'the orders insert',
    is: ({ commandName, command }) =>
      commandName === 'insert' && command.insert === configDefaults.ORDERS_COLLECTION,
    writes: ({ command }) => (command.documents as { _id: string }[]).map(({ _id }) => _id),
    idOf: (orderId) => orderId,
    carriedOut: (order) => order?.documents === 1,
    records: 'redelivered',
  },
  {
    name: 'the completions update',
    is: ({ commandName, command }) =>
      commandName === 'update' && command.update === configDefaults.IDEMPOTENCY_COLLECTION,
    writes: ({ command }) => (command.updates as { q: { _id: string } }[]).map(({ q }) => q._id),
    idOf: idempotencyKeyOf,
    carriedOut: (order) => order?.idempotency === 'COMPLETED',
    records: 'deleted',
  },
];

// Records that end before any order of the batch is written: a resend of a stored order, a
// conflicting one and an invalid one. The rest of a full batch are new orders.
const ENDING_EARLY = 3;
const NEW_ORDERS = defaultSettings.batchSize - ENDING_EARLY;

/** A DLQ that takes every copy and keeps it. */
const keptDeadLettersAt = (): TestDeadLetters & {
  readonly sent: SendMessageBatchRequestEntry[];
} => {
  const { send, entries } = keptDeadLetters();
  return { sent: entries, queueUrl: TEST_DEAD_LETTER_QUEUE_URL, sendMessageBatch: send };
};

const idsOf = (records: readonly SQSRecord[]) => records.map((record) => record.messageId).sort();

describe('a connection reset in the middle of a bulk command', () => {
  let consumer: ProxiedConsumer | undefined;

  afterEach(async () => {
    await consumer?.close();
    consumer = undefined;
  });

  it.each(BULK_COMMANDS)(
    'cut in $name: the records whose writes it carried are $records, and each order is stored once',
    async (bulk) => {
      // Prepare: one order stored before, for the batch's resend and conflict
      const deadLetters = keptDeadLettersAt();
      consumer = await startProxiedConsumer('bulk_reset', { deadLetters });
      const proxied = consumer;
      // Before the client's first connection, which takes the setting.
      proxied.client.options.monitorCommands = true;
      const stored = orderEventFactory();
      const before = await proxied.handler(
        sqsEventFactory([sqsRecordFactory(stored)]),
        lambdaContextFactory(FUNCTION_TIMEOUT_MS),
      );
      const endingEarly = [
        sqsRecordFactory(stored),
        sqsRecordFactory({ ...stored, total_amount: 51 }),
        sqsRecordFactory(orderEventFactory({ items: [] })),
      ];
      const newEvents = Array.from({ length: NEW_ORDERS }, () => orderEventFactory());
      const newOrderIds = newEvents.map((event) => String(event.order_id));
      const newRecords = newEvents.map((event) => sqsRecordFactory(event));
      // New orders wait before their write until the records ending early have ended.
      const gate = new Gate();
      let waiting = 0;
      proxied.orders.hooks = {
        before: () => {
          waiting++;
          return gate.passage();
        },
      };
      // From the moment the command is sent, MongoDB's answers are lost: it carries the command
      // out, and the consumer never hears so.
      const cut: CommandStartedEvent[] = [];
      proxied.client.on('commandStarted', (event) => {
        if (cut.length > 0 || !bulk.is(event)) return;
        cut.push(event);
        void proxied.proxy.setMode({ kind: 'drop-replies' });
      });

      // Act: once the command is carried out, reset the connections; MongoDB stays silent for
      // the rest of the invocation, so no retry inside it can rescue the records it cut off
      const delivery = proxied.handler(
        sqsEventFactory([...endingEarly, ...newRecords]),
        lambdaContextFactory(FUNCTION_TIMEOUT_MS),
      );
      await vi.waitFor(
        () => {
          expect(waiting).toBe(NEW_ORDERS);
          expect(Object.fromEntries(proxied.metrics)).toMatchObject({
            [ORDER_METRICS.alreadyStored]: 1,
            [ORDER_METRICS.conflicts]: 1,
            [ORDER_METRICS.rejected]: 1,
          });
        },
        { timeout: FUNCTION_TIMEOUT_MS },
      );
      gate.open();
      await vi.waitFor(
        async () => {
          const written = await readStoredOrders(proxied.database.db, newOrderIds);
          expect(newOrderIds.filter((id) => !bulk.carriedOut(written.get(id)))).toEqual([]);
        },
        { timeout: FUNCTION_TIMEOUT_MS },
      );
      const resets = proxied.proxy.resetAll();
      const response = await delivery;
      await proxied.proxy.setMode({ kind: 'pass' });
      const failed = [...endingEarly, ...newRecords].filter((record) =>
        response.batchItemFailures.some((f) => f.itemIdentifier === record.messageId),
      );
      // What comes back: the failed records, after their visibility timeout; else resends of the
      // new orders (the cut command carried out their completions: they replay).
      const comingBack =
        bulk.records === 'redelivered' ? failed : newEvents.map((event) => sqsRecordFactory(event));
      const settled = await redeliverUntilSettled(proxied.handler, comingBack, {
        functionTimeoutMs: FUNCTION_TIMEOUT_MS,
        visibilityTimeoutMs: VISIBILITY_TIMEOUT_MS,
      });

      // Assess: the cut command carried the new orders' writes, and exactly those records failed,
      // or (their orders stored) none did
      expect(before.batchItemFailures).toEqual([]);
      expect(cut.map(bulk.writes)).toEqual([newOrderIds.map(bulk.idOf)]);
      expect(resets).toBeGreaterThan(0);
      expect(idsOf(failed)).toEqual(bulk.records === 'redelivered' ? idsOf(newRecords) : []);
      expect(
        deadLetters.sent
          .map((entry) => [
            entry.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.reason]?.StringValue,
            entry.MessageBody,
          ])
          .sort(),
      ).toEqual([
        ['invalid-order', endingEarly[2]?.body],
        ['order-conflict', endingEarly[1]?.body],
      ]);
      // Assess: what came back is stored once, and no claim is left in progress
      expect(settled.deadLettered).toEqual([]);
      expect([...settled.deleted].sort()).toEqual(idsOf(comingBack));
      // What the cut command carried out is what the redeliveries find.
      expect(proxied.metrics.get(ORDER_METRICS.alreadyStored)).toBe(1 + NEW_ORDERS);
      await expectEachStoredOnce(
        proxied.database.db,
        [String(stored.order_id), ...newOrderIds],
        [proxied.orders.created],
      );
      expect(
        await proxied.database.db
          .collection(configDefaults.IDEMPOTENCY_COLLECTION)
          .countDocuments({ status: 'INPROGRESS' }),
      ).toBe(0);
    },
  );
});
