import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ORDER_METRICS } from '../../../../lambda/consumer/orderMetrics.js';
import { type DeadLetter, deadLetterOf } from '../../../../local/commands/deadLetters.js';
import {
  type LocalRuntime,
  startLocalRuntime,
} from '../../../../local/runtime/startLocalRuntime.js';
import { orderEventFactory } from '../../../helpers/factories.js';
import { sendBodies } from '../../../helpers/localSqs.js';
import { openTestDatabase, type TestDatabase } from '../../../helpers/testDatabase.js';

// What the legacy service's own integration suite checks, run twice in a row against one runtime
// as its users do: every run deletes its orders' documents first, while the consumer's idempotency
// records of the run before stay.

type LogLine = Record<string, unknown> & { message: string };
type StoredOrder = Record<string, unknown> & { _id: string };

// The same order ids in every run, as the legacy suite reuses its own.
const invalidOrder = orderEventFactory({ order_id: 'LEGACY-INVALID', total_amount: undefined });
const storedOrder = orderEventFactory({ order_id: 'LEGACY-STORED' });
const wholeNumberOrder = orderEventFactory({
  order_id: 'LEGACY-WHOLE-NUMBERS',
  items: [{ item_id: 'P7', quantity: 1, price: 100 }],
  total_amount: 100,
});
const processedByLegacy = orderEventFactory({ order_id: 'LEGACY-PROCESSED-SAME' });
const processedOtherwise = orderEventFactory({ order_id: 'LEGACY-PROCESSED-OTHER' });

/** A document as the legacy service left it: plain numbers, `PROCESSED`, its own dates. */
const legacyDocument = (order: Record<string, unknown>): StoredOrder => ({
  _id: String(order.order_id),
  user_id: order.user_id,
  items: order.items,
  total_amount: order.total_amount,
  timestamp: order.timestamp,
  status: 'PROCESSED',
  created_at: new Date('2024-01-01T10:00:01Z'),
  processed_at: new Date('2024-01-01T10:00:02Z'),
});

const seededDocuments = [
  legacyDocument(processedByLegacy),
  // Processed by the legacy service with other content: never overwritten.
  { ...legacyDocument(processedOtherwise), items: [] },
];
const scenarioOrders = [
  invalidOrder,
  storedOrder,
  wholeNumberOrder,
  processedByLegacy,
  processedOtherwise,
];

let database: TestDatabase;
let runtime: LocalRuntime;
const logs: LogLine[] = [];

const orders = () => database.db.collection<StoredOrder>('orders');

/** Receives and deletes what the DLQ holds now. */
const takeDeadLetters = async (): Promise<DeadLetter[]> => {
  const { Messages = [] } = await runtime.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: runtime.deadLetterQueueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      MessageAttributeNames: ['All'],
    }),
  );
  if (Messages.length > 0) {
    await runtime.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: runtime.deadLetterQueueUrl,
        Entries: Messages.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle,
        })),
      }),
    );
  }
  return Messages.map(deadLetterOf);
};

const byOrderId = (a: { orderId: unknown }, b: { orderId: unknown }): number =>
  String(a.orderId).localeCompare(String(b.orderId));

const queueIsEmpty = async (): Promise<boolean> => {
  const { queue } = await runtime.queueDepth();
  return queue.visible + queue.inFlight + queue.delayed === 0;
};

/** What one run left: the dead letters, and every outcome the consumer logged, by order. */
interface ScenarioRun {
  readonly deadLetters: { orderId: unknown; reason: string | undefined }[];
  readonly outcomes: { orderId: unknown; outcome: unknown }[];
  readonly logLines: LogLine[];
}

/**
 * Deletes the scenario's documents, as the legacy suite does before each test, then puts back the
 * ones the legacy service had processed.
 */
const resetScenarioDocuments = async (): Promise<void> => {
  await orders().deleteMany({
    _id: { $in: scenarioOrders.map((order) => String(order.order_id)) },
  });
  await orders().insertMany(seededDocuments.map((document) => ({ ...document })));
};

/** Sends the scenario's orders and waits until each has left the queue for MongoDB or the DLQ. */
const sendScenario = async (): Promise<ScenarioRun> => {
  const firstLine = logs.length;
  await sendBodies(
    runtime.sqs,
    runtime.queueUrl,
    scenarioOrders.map((order) => JSON.stringify(order)),
  );
  const deadLetters: DeadLetter[] = [];
  await vi.waitFor(
    async () => {
      deadLetters.push(...(await takeDeadLetters()));
      expect(deadLetters).toHaveLength(2);
      expect(await queueIsEmpty()).toBe(true);
    },
    { timeout: 30_000, interval: 100 },
  );
  const logLines = logs.slice(firstLine);
  return {
    deadLetters: deadLetters
      .map((letter) => ({
        orderId: (JSON.parse(letter.body) as Record<string, unknown>).order_id,
        reason: letter.attached?.reason,
      }))
      .sort(byOrderId),
    outcomes: logLines
      .filter((line) => line.outcome !== undefined)
      .map((line) => ({ orderId: line.order_id, outcome: line.outcome }))
      .sort(byOrderId),
    logLines,
  };
};

/** The four behaviours the legacy suite checks, and that no log line claims a write it did not do. */
const expectLegacyBehaviours = async (run: ScenarioRun): Promise<void> => {
  // An invalid schema is never stored: it is in the DLQ with its reason.
  expect(await orders().findOne({ _id: String(invalidOrder.order_id) })).toBeNull();
  // An order the legacy service processed is left untouched; other content is a conflict.
  for (const seeded of seededDocuments) {
    expect(await orders().findOne({ _id: seeded._id })).toEqual(seeded);
  }
  expect(run.deadLetters).toEqual([
    { orderId: invalidOrder.order_id, reason: 'invalid-order' },
    { orderId: processedOtherwise.order_id, reason: 'order-conflict' },
  ]);
  // The success flow: the order is stored with its content, PROCESSED.
  expect(await orders().findOne({ _id: String(storedOrder.order_id) })).toMatchObject({
    user_id: storedOrder.user_id,
    items: [expect.objectContaining({ item_id: 'P1', quantity: 2, price: 25 })],
    total_amount: storedOrder.total_amount,
    timestamp: storedOrder.timestamp,
    status: 'PROCESSED',
    created_at: expect.any(Date),
    processed_at: expect.any(Date),
  });
  // End to end: a reader querying by `_id` and `status`, as legacy readers do, finds it.
  expect(
    await orders().countDocuments({ _id: String(wholeNumberOrder.order_id), status: 'PROCESSED' }),
  ).toBe(1);
  // Every line saying an order was stored names an order that has its document.
  const claimed = run.logLines
    .filter((line) => line.outcome === 'created' || line.outcome === 'restored')
    .map((line) => String(line.order_id));
  expect(claimed).not.toHaveLength(0);
  for (const orderId of claimed) {
    expect(await orders().countDocuments({ _id: orderId }), orderId).toBe(1);
  }
};

beforeAll(async () => {
  database = await openTestDatabase('legacy_compatibility');
  runtime = await startLocalRuntime({
    mongoUri: database.uri,
    databaseName: database.databaseName,
    pollers: 2,
    logSink: (line) => logs.push(JSON.parse(line) as LogLine),
    log: () => undefined,
  });
});

afterAll(async () => {
  await runtime?.stop();
  await database?.close();
});

// The second run finds the first run's idempotency records, but not its documents.
const runs = [
  {
    run: 'first run: invalid orders are never stored, processed ones are left untouched, valid ones are stored',
    storedAs: 'created',
    metric: ORDER_METRICS.stored,
  },
  {
    run: 'second run: the same, and the orders whose documents were deleted are stored again',
    storedAs: 'restored',
    metric: ORDER_METRICS.restored,
  },
] as const;

describe('the legacy service integration suite against the local runtime, twice in a row', () => {
  it.each(runs)('$run', async ({ storedAs, metric }) => {
    // Prepare
    const countedBefore = runtime.orderMetrics().get(metric) ?? 0;
    await resetScenarioDocuments();

    // Act
    const run = await sendScenario();

    // Assess
    await expectLegacyBehaviours(run);
    expect(run.outcomes).toEqual([
      { orderId: processedByLegacy.order_id, outcome: 'already-stored' },
      { orderId: storedOrder.order_id, outcome: storedAs },
      { orderId: wholeNumberOrder.order_id, outcome: storedAs },
    ]);
    expect(runtime.orderMetrics().get(metric)).toBe(countedBefore + 2);
  });
});
