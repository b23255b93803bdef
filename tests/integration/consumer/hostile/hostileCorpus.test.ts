import type { SQSRecord } from 'aws-lambda';
import { Long, type MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumerHandler } from '../../../../lambda/consumer/createConsumerHandler.js';
import { createLogger } from '../../../../lambda/shared/logger.js';
import { createMongoClient } from '../../../../lambda/shared/mongoClient.js';
import { defaultSettings } from '../../../../settings/serviceSettings.js';
import { testConsumerDependencies } from '../../../helpers/consumerHarness.js';
import {
  lambdaContextFactory,
  orderEventFactory,
  sqsEventFactory,
  sqsRecordFactory,
} from '../../../helpers/factories.js';
import { ITEM_KEYS, ORDER_KEYS } from '../../../helpers/storedOrderFields.js';
import { openTestDatabase, type TestDatabase } from '../../../helpers/testDatabase.js';
import { type CapturedLogs, captureLogs } from './captureLogs.js';
import { bodyOf, type CorpusCase, loadHostileCorpus } from './hostileCorpus.js';

const corpus = loadHostileCorpus();
// Every batch mixes hostile bodies with valid orders, which must come through untouched.
const MATES_PER_BATCH = 3;
const HOSTILE_PER_BATCH = defaultSettings.batchSize - MATES_PER_BATCH;

/** What the corpus covers, item by item, as issue 5 lists it. */
const REQUIRED_COVERAGE = [
  'malformed-json',
  'truncated-json',
  'byte-order-mark',
  'non-object-body',
  'double-encoded-json',
  'missing-field',
  'unknown-fields',
  'reserved-keys',
  'operator-objects',
  'wrong-types',
  'non-finite-numbers',
  'unsafe-integers',
  'negative-zero',
  'fractional-quantity',
  'non-positive-price',
  'item-list-size',
  'overlong-ids',
  'control-characters',
  'lone-surrogates',
  'unicode-normalisation',
  'timestamps',
  'deep-nesting',
  'body-size',
  'conflicting-resend',
];

interface Delivery {
  readonly record: SQSRecord;
  readonly failed: boolean;
}

// Longs become decimal strings, so expectations can be written as plain JSON.
const plain = (value: unknown): unknown => {
  if (value instanceof Long) return value.toString();
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Date) return value;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plain(inner)]));
  }
  return value;
};

const chunk = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, i * size + size),
  );

describe('hostile-input corpus through the real consumer and database', () => {
  let database: TestDatabase;
  let client: MongoClient;
  let logs: CapturedLogs;
  const deliveries = new Map<string, Delivery>();
  const givenMessageIds = new Map<string, string>();
  const mates: { orderId: string; delivery: Delivery }[] = [];

  beforeAll(async () => {
    // Prepare
    database = await openTestDatabase('hostile');
    client = createMongoClient(database.uri, {
      maxPoolSize: defaultSettings.mongoMaxPoolSize,
      appName: 'hostile-corpus-test',
    });
    logs = captureLogs();
    try {
      const handler = createConsumerHandler(
        testConsumerDependencies(client, database.databaseName, {
          logger: createLogger('order-consumer', 'INFO'),
        }).deps,
      );
      const givenRecords = corpus.cases.flatMap((testCase) =>
        (testCase.given ?? []).map((event) => sqsRecordFactory(event as Record<string, unknown>)),
      );
      const givenResponse = await handler(sqsEventFactory(givenRecords), lambdaContextFactory());
      if (givenResponse.batchItemFailures.length > 0) {
        throw new Error(`given orders were not stored: ${JSON.stringify(givenResponse)}`);
      }
      for (const record of givenRecords) {
        givenMessageIds.set(
          (JSON.parse(record.body) as { order_id: string }).order_id,
          record.messageId,
        );
      }

      // Act
      for (const batch of chunk(corpus.cases, HOSTILE_PER_BATCH)) {
        const hostile = batch.map((testCase) => ({
          testCase,
          record: sqsRecordFactory(bodyOf(testCase)),
        }));
        const mateEvents = Array.from({ length: MATES_PER_BATCH }, () => orderEventFactory());
        const mateRecords = mateEvents.map((event) => sqsRecordFactory(event));
        // Mates first, in the middle and last: position in the batch must not matter.
        const records = [
          ...mateRecords.slice(0, 1),
          ...hostile.slice(0, 3).map((h) => h.record),
          ...mateRecords.slice(1, 2),
          ...hostile.slice(3).map((h) => h.record),
          ...mateRecords.slice(2),
        ];
        const response = await handler(sqsEventFactory(records), lambdaContextFactory());
        const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
        for (const { testCase, record } of hostile) {
          deliveries.set(testCase.id, { record, failed: failed.has(record.messageId) });
        }
        mateRecords.forEach((record, index) => {
          mates.push({
            orderId: String(mateEvents[index]?.order_id),
            delivery: { record, failed: failed.has(record.messageId) },
          });
        });
      }
    } finally {
      logs.restore();
    }
  }, 180_000);

  afterAll(async () => {
    await client?.close();
    await database?.close();
  });

  const deliveryOf = (testCase: CorpusCase): Delivery => {
    const delivery = deliveries.get(testCase.id);
    if (delivery === undefined) throw new Error(`case ${testCase.id} was not delivered`);
    return delivery;
  };
  const logRecordsOf = (messageId: string) =>
    logs.records().filter((record) => record.messageId === messageId);

  it('holds at least 40 cases, each with a reason, covering every listed kind of hostile input', () => {
    const ids = corpus.cases.map((testCase) => testCase.id);
    expect(corpus.cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(ids).size).toBe(ids.length);
    for (const testCase of corpus.cases) expect(testCase.reason.length).toBeGreaterThan(20);
    const covered = new Set(corpus.cases.map((testCase) => testCase.covers));
    expect(REQUIRED_COVERAGE.filter((kind) => !covered.has(kind))).toEqual([]);
  });

  it.each(corpus.cases.map((testCase) => [testCase.id, testCase] as const))(
    '%s',
    async (_, testCase) => {
      const { record, failed } = deliveryOf(testCase);
      const expectation = testCase.expect;
      const lines = logRecordsOf(record.messageId);

      if (expectation.outcome === 'rejected') {
        expect(failed, 'a rejected message must be in batchItemFailures').toBe(true);
        const rejection = lines.find((line) => line.reason !== undefined);
        expect(rejection, 'the rejection is logged with its message id').toBeDefined();
        expect(rejection?.reason).toBe(expectation.reason);
        if (expectation.path !== undefined) {
          const issues = rejection?.issues as { path: string; message: string }[];
          expect(issues).toContainEqual({
            path: expectation.path,
            message: expect.stringContaining(expectation.message ?? ''),
          });
        }
        return;
      }

      expect(failed, 'an accepted message must not be in batchItemFailures').toBe(false);
      const id = expectation.document._id as string;
      const stored = await database.db
        .collection<{ _id: string }>('orders')
        .findOne({ _id: id }, { promoteLongs: false });
      expect(stored, `order ${id} is stored`).not.toBeNull();
      const document = plain(stored) as Record<string, unknown>;
      expect(Object.keys(document).sort()).toEqual(ORDER_KEYS);
      expect(document).toMatchObject({ ...expectation.document, status: 'PROCESSED' });
      const items = document.items as Record<string, unknown>[];
      if (expectation.itemCount !== undefined) expect(items).toHaveLength(expectation.itemCount);
      for (const item of items) expect(Object.keys(item).sort()).toEqual(ITEM_KEYS);
      expect(document.created_at).toBeInstanceOf(Date);
      const writer = expectation.writtenBy === 'given' ? givenMessageIds.get(id) : record.messageId;
      expect(document.sqs_message_id).toBe(writer);
      expect(lines.find((line) => line.outcome !== undefined)).toMatchObject({
        order_id: id,
        outcome: expectation.writtenBy === 'given' ? 'already-stored' : 'created',
      });
    },
  );

  it('leaves batch-mates unaffected: every valid mate stored, none failed', async () => {
    expect(mates.filter((mate) => mate.delivery.failed)).toEqual([]);
    const stored = await database.db
      .collection<{ _id: string }>('orders')
      .countDocuments({ _id: { $in: mates.map((mate) => mate.orderId) } });
    expect(stored).toBe(mates.length);
  });

  it('writes nothing else: exactly the accepted orders, each with one completed idempotency record', async () => {
    const expected = new Set([
      ...givenMessageIds.keys(),
      ...mates.map((mate) => mate.orderId),
      ...corpus.cases.flatMap((testCase) =>
        testCase.expect.outcome === 'stored' ? [testCase.expect.document._id as string] : [],
      ),
    ]);
    const ids = await database.db
      .collection<{ _id: string }>('orders')
      .find({}, { projection: { _id: 1 } })
      .map((document) => document._id)
      .toArray();
    expect(ids.sort()).toEqual([...expected].sort());
    const idempotency = database.db.collection<{ _id: string; status: string }>('idempotency');
    expect(await idempotency.countDocuments({ status: 'COMPLETED' })).toBe(expected.size);
    expect(await idempotency.countDocuments({ status: { $ne: 'COMPLETED' } })).toBe(0);
  });

  it('pollutes no prototype', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never logs a raw body or a value from one', () => {
    expect(logs.lines.filter((line) => line.includes(corpus.canary))).toEqual([]);
    for (const testCase of corpus.cases) {
      if (testCase.expect.outcome !== 'rejected') continue;
      const body = bodyOf(testCase);
      if (body.length < 16) continue;
      const escaped = JSON.stringify(body).slice(1, -1);
      const leaks = logs.lines.filter((line) => line.includes(body) || line.includes(escaped));
      expect(leaks, `${testCase.id} leaked into the log`).toEqual([]);
    }
  });
});
