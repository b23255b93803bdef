import { type Db, type Document, Long, MongoClient, MongoNetworkError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumerHandler } from '../../../lambda/consumer/createConsumerHandler.js';
import { createMongoClient } from '../../../lambda/shared/mongoClient.js';
import {
  createCapturingLogger,
  createTestConsumer,
  keptDeadLetters,
  TEST_DEAD_LETTER_QUEUE_URL,
  testConsumerDependencies,
} from '../../helpers/consumerHarness.js';
import {
  lambdaContextFactory,
  orderEventFactory,
  sqsEventFactory,
  sqsRecordFactory,
} from '../../helpers/factories.js';
import { ORDER_KEYS } from '../../helpers/storedOrderFields.js';
import { openTestDatabase, type TestDatabase } from '../../helpers/testDatabase.js';
import { expectEachStoredOnce } from './faults/expectEachStoredOnce.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await openTestDatabase('consumer');
});

afterAll(async () => {
  await database.close();
});

const consumer = () => createTestConsumer(database.client, database.databaseName);
/** A consumer that copies poison messages to a DLQ at once; `dlq` holds what it sent. */
const deadLetteringConsumer = () => {
  const dlq = keptDeadLetters();
  const created = createTestConsumer(database.client, database.databaseName, {
    environment: { POISON_MESSAGES: 'dead-letter-now', DLQ_URL: TEST_DEAD_LETTER_QUEUE_URL },
    sendMessageBatch: dlq.send,
  });
  return { ...created, dlq };
};

/** The client, except that `update` commands (the claims' completions) fail as on a reset. */
const completionsFail = (client: MongoClient): MongoClient => {
  const db = (name: string): Db =>
    new Proxy(client.db(name), {
      get: (target, property) => {
        const value = Reflect.get(target, property, target);
        if (property !== 'command') return typeof value === 'function' ? value.bind(target) : value;
        return (command: Document, options?: Document) =>
          command.update !== undefined
            ? Promise.reject(new MongoNetworkError('connection reset'))
            : target.command(command, options);
      },
    });
  return new Proxy(client, {
    get: (target, property) => {
      if (property === 'db') return db;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
};
const orders = () => database.db.collection<{ _id: string } & Record<string, unknown>>('orders');
const failedIds = (response: { batchItemFailures: { itemIdentifier: string }[] }) =>
  response.batchItemFailures.map((failure) => failure.itemIdentifier).sort();

describe('consumer handler against a real MongoDB', () => {
  it('stores a valid order as the legacy document plus exact money and its message id', async () => {
    // Prepare
    const { handler } = consumer();
    const event = orderEventFactory({
      items: [
        { item_id: 'P1', quantity: 2, price: 19.99 },
        { item_id: 'P2', quantity: 1, price: 0.0005 },
      ],
      total_amount: 39.9805,
      coupon: 'unknown fields are dropped',
    });
    const record = sqsRecordFactory(event);
    const before = new Date();

    // Act
    const response = await handler(sqsEventFactory([record]), lambdaContextFactory());

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const stored = await orders().findOne(
      { _id: event.order_id as string },
      { promoteLongs: false },
    );
    expect(stored).toMatchObject({
      _id: event.order_id,
      user_id: 'U-42',
      items: [
        { item_id: 'P1', quantity: 2, price: 19.99, price_micros: Long.fromNumber(19_990_000) },
        { item_id: 'P2', quantity: 1, price: 0.0005, price_micros: Long.fromNumber(500) },
      ],
      total_amount: 39.9805,
      total_amount_micros: Long.fromNumber(39_980_500),
      timestamp: '2024-01-01T11:00:00Z',
      status: 'PROCESSED',
      sqs_message_id: record.messageId,
    });
    expect(Object.keys(stored ?? {}).sort()).toEqual([...ORDER_KEYS].sort());
    expect(stored?.created_at).toEqual(stored?.processed_at);
    expect((stored?.created_at as Date | undefined)?.getTime() ?? 0).toBeGreaterThanOrEqual(
      before.getTime() - 1000,
    );
  });

  it('treats the same message delivered again as a success without a second write', async () => {
    const { handler } = consumer();
    const record = sqsRecordFactory(orderEventFactory());
    const orderId = JSON.parse(record.body).order_id;

    const first = await handler(sqsEventFactory([record]), lambdaContextFactory());
    const stored = await orders().findOne({ _id: orderId });
    const second = await handler(sqsEventFactory([record]), lambdaContextFactory());

    expect(first.batchItemFailures).toEqual([]);
    expect(second.batchItemFailures).toEqual([]);
    expect(await orders().countDocuments({ _id: orderId })).toBe(1);
    expect(await orders().findOne({ _id: orderId })).toEqual(stored);
  });

  it('treats a producer resend with a new message id as the same order', async () => {
    const { handler } = consumer();
    const event = orderEventFactory();
    const original = sqsRecordFactory(event);
    const resend = sqsRecordFactory(event);

    await handler(sqsEventFactory([original]), lambdaContextFactory());
    const response = await handler(sqsEventFactory([resend]), lambdaContextFactory());

    expect(response.batchItemFailures).toEqual([]);
    const stored = await orders()
      .find({ _id: event.order_id as string })
      .toArray();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.sqs_message_id).toBe(original.messageId);
  });

  it('reports the same order_id with different content as a conflict and keeps the first', async () => {
    const { handler, lines } = consumer();
    const event = orderEventFactory();
    const conflicting = sqsRecordFactory({ ...event, total_amount: 51 });

    await handler(sqsEventFactory([sqsRecordFactory(event)]), lambdaContextFactory());
    const response = await handler(sqsEventFactory([conflicting]), lambdaContextFactory());

    expect(failedIds(response)).toEqual([conflicting.messageId]);
    expect(await orders().findOne({ _id: event.order_id as string })).toMatchObject({
      total_amount: 50,
    });
    expect(lines).toContainEqual(
      expect.objectContaining({
        messageId: conflicting.messageId,
        order_id: event.order_id,
        reason: 'order-conflict',
      }),
    );
  });

  it('detects a conflict from the order itself when the idempotency record is gone, and never judges a copy against a claim in progress', async () => {
    // Prepare: the order is stored and its record gone (expired, or the legacy service wrote it);
    // one batch brings a conflicting delivery first, then a copy of the stored order
    const { handler, lines, dlq } = deadLetteringConsumer();
    const event = orderEventFactory();
    await handler(sqsEventFactory([sqsRecordFactory(event)]), lambdaContextFactory());
    await database.db.collection('idempotency').deleteMany({});
    const conflicting = sqsRecordFactory({ ...event, user_id: 'U-other' });
    const copy = sqsRecordFactory(event);

    // Act: the copy meets the conflicting delivery's claim in progress and is retried
    const response = await handler(sqsEventFactory([conflicting, copy]), lambdaContextFactory());
    const retry = await handler(
      sqsEventFactory(failedIds(response).includes(copy.messageId) ? [copy] : []),
      lambdaContextFactory(),
    );

    // Assess: only the conflict is in the DLQ, named by the stored order's differing field
    expect(dlq.originalIds()).toEqual([conflicting.messageId]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        messageId: conflicting.messageId,
        error: expect.stringContaining('user_id differs'),
      }),
    );
    expect(retry.batchItemFailures).toEqual([]);
    expect(
      await orders()
        .find({ _id: event.order_id as string })
        .toArray(),
    ).toEqual([expect.objectContaining({ user_id: 'U-42', total_amount: 50 })]);
  });

  it('treats a resend whose timestamp is the same instant written otherwise as the same order', async () => {
    const { handler, lines, dlq } = deadLetteringConsumer();
    const event = orderEventFactory({ timestamp: '2024-01-01T11:00:00Z' });
    await handler(sqsEventFactory([sqsRecordFactory(event)]), lambdaContextFactory());
    const resends = ['2024-01-01T11:00:00.000Z', '2024-01-01T12:00:00+01:00'].map((timestamp) =>
      sqsRecordFactory({ ...event, timestamp }),
    );

    // With the idempotency record (the hash is of the instant), then without it (the orders
    // collection compares instants)
    for (const clear of [false, true]) {
      if (clear) await database.db.collection('idempotency').deleteMany({});
      for (const resend of resends) {
        const response = await handler(sqsEventFactory([resend]), lambdaContextFactory());
        expect(response.batchItemFailures).toEqual([]);
      }
    }

    expect(dlq.entries).toEqual([]);
    for (const resend of resends) {
      expect(lines).toContainEqual(
        expect.objectContaining({ messageId: resend.messageId, outcome: 'already-stored' }),
      );
    }
  });

  it('deletes a message whose order is stored though its idempotency record could not be completed', async () => {
    // Prepare
    const { logger, lines } = createCapturingLogger();
    const { deps } = testConsumerDependencies(
      completionsFail(database.client),
      database.databaseName,
      { logger },
    );
    const handler = createConsumerHandler({ ...deps, retryDelaysMs: [] });
    const event = orderEventFactory();
    const record = sqsRecordFactory(event);

    // Act
    const response = await handler(sqsEventFactory([record]), lambdaContextFactory());

    // Assess: the orders collection holds it, so the message leaves the queue; its claim stays in
    // progress until this invocation's deadline, and whoever takes it over meets the stored order
    expect(response.batchItemFailures).toEqual([]);
    expect(await orders().countDocuments({ _id: event.order_id as string })).toBe(1);
    expect(
      lines.filter((line) => line.messageId === record.messageId).map((line) => line.message),
    ).toEqual(['idempotency record not completed; the order is stored', 'order stored']);
  });

  it('never modifies a document the legacy service wrote', async () => {
    const { handler } = consumer();
    const event = orderEventFactory();
    const legacy = {
      _id: event.order_id as string,
      user_id: 'U-42',
      items: [{ item_id: 'P1', quantity: 2, price: 25.0 }],
      total_amount: 50.0,
      timestamp: '2024-01-01T11:00:00Z',
      status: 'PENDING',
      created_at: new Date('2024-01-01T11:00:01Z'),
    };
    await orders().insertOne(legacy);
    const same = sqsRecordFactory(event);
    const different = sqsRecordFactory({
      ...orderEventFactory(),
      order_id: event.order_id,
      user_id: 'U-9',
    });

    const sameResponse = await handler(sqsEventFactory([same]), lambdaContextFactory());
    const differentResponse = await handler(sqsEventFactory([different]), lambdaContextFactory());

    expect(sameResponse.batchItemFailures).toEqual([]);
    expect(failedIds(differentResponse)).toEqual([different.messageId]);
    expect(await orders().findOne({ _id: legacy._id })).toEqual(legacy);
  });

  it('fails only the bad records of a mixed batch and stores the rest', async () => {
    const { handler, lines } = consumer();
    const good = [orderEventFactory(), orderEventFactory(), orderEventFactory()];
    const goodRecords = good.map((event) => sqsRecordFactory(event));
    const badRecords = [
      sqsRecordFactory('{"order_id": "ORD-broken"'),
      sqsRecordFactory(orderEventFactory({ items: [] })),
      sqsRecordFactory(orderEventFactory({ order_id: { $gt: '' } })),
    ];

    const response = await handler(
      sqsEventFactory(
        [
          goodRecords[0],
          badRecords[0],
          goodRecords[1],
          badRecords[1],
          goodRecords[2],
          badRecords[2],
        ].filter((r) => r !== undefined),
      ),
      lambdaContextFactory(),
    );

    expect(failedIds(response)).toEqual(badRecords.map((r) => r.messageId).sort());
    expect(
      await orders().countDocuments({ _id: { $in: good.map((e) => e.order_id as string) } }),
    ).toBe(3);
    expect(await orders().countDocuments({ _id: 'ORD-broken' })).toBe(0);
    const rejection = lines.find((line) => line.messageId === badRecords[1]?.messageId);
    expect(rejection).toMatchObject({
      level: 'WARN',
      reason: 'invalid-order',
      issues: [{ path: 'items' }],
    });
    expect(JSON.stringify(lines)).not.toContain('"$gt"');
  });

  it('stores an order sent twice in one batch once, and the retried copy succeeds', async () => {
    // A database of its own, so its idempotency records are this test's only ones.
    const databaseName = `${database.databaseName}_twice`;
    const { handler, lines } = createTestConsumer(database.client, databaseName);
    const event = orderEventFactory();
    const copies = [sqsRecordFactory(event), sqsRecordFactory(event)];

    try {
      const response = await handler(sqsEventFactory(copies), lambdaContextFactory());
      const claims = await database.client
        .db(databaseName)
        .collection('idempotency')
        .find()
        .toArray();
      const retried = copies.filter((copy) => failedIds(response).includes(copy.messageId));
      const retry = await handler(sqsEventFactory(retried), lambdaContextFactory());

      // One copy wins; the other fails as in progress (or, if it looked late, finds it done).
      expect(response.batchItemFailures.length).toBeLessThanOrEqual(1);
      expect(claims).toMatchObject([{ status: 'COMPLETED' }]);
      expect(retry.batchItemFailures).toEqual([]);
      expect(lines.filter((l) => l.outcome === 'created')).toHaveLength(1);
      const stored = database.client.db(databaseName).collection<{ _id: string }>('orders');
      expect(await stored.countDocuments({ _id: event.order_id as string })).toBe(1);
    } finally {
      await database.client.db(databaseName).dropDatabase();
    }
  });

  it('stores an order delivered to parallel containers exactly once', async () => {
    const containers = Array.from({ length: 4 }, () => consumer().handler);
    const event = orderEventFactory();
    let pending = containers.map((handler) => ({ handler, record: sqsRecordFactory(event) }));

    // Redeliver whatever failed (another container held the order) until every copy succeeded.
    const deadline = Date.now() + 20_000;
    while (pending.length > 0 && Date.now() < deadline) {
      const results = await Promise.all(
        pending.map(async (p) => ({
          ...p,
          response: await p.handler(sqsEventFactory([p.record]), lambdaContextFactory()),
        })),
      );
      pending = results.filter((r) => r.response.batchItemFailures.length > 0);
    }

    expect(pending).toEqual([]);
    expect(await orders().countDocuments({ _id: event.order_id as string })).toBe(1);
  });

  it('stores a 100-record batch, each log line keyed to its own record', async () => {
    const { handler, lines } = consumer();
    const events = Array.from({ length: 100 }, () => orderEventFactory());
    const records = events.map((event) => sqsRecordFactory(event));

    const response = await handler(sqsEventFactory(records), lambdaContextFactory());

    expect(response.batchItemFailures).toEqual([]);
    const orderOf = new Map(records.map((r) => [r.messageId, JSON.parse(r.body).order_id]));
    const stored = lines.filter((line) => line.outcome === 'created');
    expect(stored).toHaveLength(100);
    for (const line of stored) expect(line.order_id).toBe(orderOf.get(String(line.messageId)));
    expect(
      await orders().countDocuments({ _id: { $in: events.map((e) => e.order_id as string) } }),
    ).toBe(100);
  });

  it('spends three MongoDB commands on a new order and three on a duplicate', async () => {
    // Prepare: a client of our own, so only this consumer's commands are counted
    const monitored = new MongoClient(database.uri, { monitorCommands: true });
    const commands: string[] = [];
    monitored.on('commandStarted', (event) => commands.push(event.commandName));
    const { handler } = createTestConsumer(monitored, database.databaseName);
    await handler(sqsEventFactory([sqsRecordFactory(orderEventFactory())]), lambdaContextFactory());
    const record = sqsRecordFactory(orderEventFactory());

    try {
      // Act
      commands.length = 0;
      const created = await handler(sqsEventFactory([record]), lambdaContextFactory());
      const forNew = [...commands];
      commands.length = 0;
      const duplicate = await handler(sqsEventFactory([record]), lambdaContextFactory());
      const forDuplicate = [...commands];

      // Assess
      expect([...created.batchItemFailures, ...duplicate.batchItemFailures]).toEqual([]);
      expect(forNew).toEqual(['insert', 'insert', 'update']);
      expect(forDuplicate).toEqual(['insert', 'find', 'find']);
    } finally {
      await monitored.close();
    }
  });

  it('stores 250 new orders once each, then the same 250 again, in update commands of fewer than 100 statements', async () => {
    // Prepare: a client of our own, so only this consumer's commands are counted
    const monitored = new MongoClient(database.uri, { monitorCommands: true });
    const statements: { command: string; count: number }[] = [];
    monitored.on('commandStarted', ({ commandName, command }) => {
      if (commandName !== 'update' && commandName !== 'delete') return;
      statements.push({ command: commandName, count: (command.updates ?? command.deletes).length });
    });
    const { handler, lines } = createTestConsumer(monitored, database.databaseName);
    const events = Array.from({ length: 250 }, () => orderEventFactory());
    const ids = events.map((event) => String(event.order_id));
    const records = events.map((event) => sqsRecordFactory(event));

    try {
      // Act
      const first = await handler(sqsEventFactory(records), lambdaContextFactory());
      const again = await handler(sqsEventFactory(records), lambdaContextFactory());

      // Assess
      expect([...first.batchItemFailures, ...again.batchItemFailures]).toEqual([]);
      const outcomes = lines.filter((line) => line.outcome !== undefined);
      expect(outcomes.filter((line) => line.outcome === 'created')).toHaveLength(250);
      expect(outcomes.filter((line) => line.outcome === 'already-stored')).toHaveLength(250);
      await expectEachStoredOnce(database.db, ids);
      // FerretDB v1 never answers an update or delete of 100 statements or more.
      expect(statements.filter(({ count }) => count >= 100)).toEqual([]);
      expect(statements.filter(({ command }) => command === 'update')).toHaveLength(3);
      expect(statements.reduce((sum, { count }) => sum + count, 0)).toBe(250);
    } finally {
      await monitored.close();
    }
  });

  it('answers with every record failed, before the deadline, when MongoDB is unreachable', async () => {
    // Prepare: a port nothing listens on
    const unreachable = createMongoClient('mongodb://127.0.0.1:9/', {
      maxPoolSize: 5,
      appName: 'test',
    });
    const { handler, lines } = createTestConsumer(unreachable, database.databaseName);
    const records = Array.from({ length: 5 }, () => sqsRecordFactory(orderEventFactory()));
    const remainingMs = 4_000;
    const started = Date.now();

    // Act
    const response = await handler(sqsEventFactory(records), lambdaContextFactory(remainingMs));

    // Assess
    const elapsed = Date.now() - started;
    await unreachable.close();
    expect(failedIds(response)).toEqual(records.map((r) => r.messageId).sort());
    expect(elapsed).toBeLessThan(remainingMs);
    expect(lines.filter((l) => l.reason === 'dependency-unavailable')).toHaveLength(5);
  });
});
