import {
  IdempotencyConfig,
  IdempotencyItemAlreadyExistsError,
  IdempotencyValidationError,
} from '@aws-lambda-powertools/idempotency';
import type { IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import {
  type Collection,
  type CommandStartedEvent,
  type Db,
  type Document,
  MongoClient,
  MongoNetworkError,
} from 'mongodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type IdempotencyDocument,
  MongoPersistenceLayer,
} from '../../../lambda/shared/MongoPersistenceLayer.js';
import { serverKind } from '../../../lambda/shared/serverKind.js';
import { openTestDatabase, type TestDatabase } from '../../helpers/testDatabase.js';

let database: TestDatabase;
let collectionName: string;
let collection: Collection<IdempotencyDocument>;
let collections = 0;
let warnings: unknown[][];

beforeAll(async () => {
  database = await openTestDatabase('persistence');
});

// Each test gets its own collection, so "the record" is simply the only one there.
beforeEach(() => {
  collectionName = `idempotency_${collections++}`;
  collection = database.db.collection<IdempotencyDocument>(collectionName);
  warnings = [];
});

afterAll(async () => {
  await database.close();
});

const createLayer = (options: { now?: () => number; db?: Db } = {}): MongoPersistenceLayer => {
  const layer = new MongoPersistenceLayer({
    db: options.db ?? database.db,
    collectionName,
    logger: { info: () => undefined, warn: (...args: unknown[]) => warnings.push(args) },
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  layer.configure({
    config: new IdempotencyConfig({
      eventKeyJmesPath: 'id',
      payloadValidationJmesPath: 'payload',
      expiresAfterSeconds: 3600,
    }),
    keyPrefix: 'test',
  });
  return layer;
};

let sequence = 0;
const request = (payload = 'a') => ({ id: `key-${sequence++}`, payload });

const operationOf = (command: Document): string => Object.keys(command)[0] ?? '';

/**
 * The database, except that the named operations (write commands `insert`, `update`, `delete`,
 * or collection methods such as `replaceOne`) fail as on a connection reset: `before` the server
 * gets them, or after it ran them, their answer lost.
 */
const resetting = (db: Db, operations: ReadonlySet<string>, when: 'before' | 'after' = 'after') => {
  const fail = async (run: () => Promise<unknown>) => {
    if (when === 'after') await run();
    throw new MongoNetworkError('connection reset');
  };
  const wrap = <T extends object>(
    target: T,
    shouldFail: (property: string, args: unknown[]) => boolean,
  ) =>
    new Proxy(target, {
      get: (object, property) => {
        const value = Reflect.get(object, property, object);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) =>
          typeof property === 'string' && shouldFail(property, args)
            ? fail(() => value.apply(object, args))
            : value.apply(object, args);
      },
    });
  const wrapped: Db = wrap(
    db,
    (property, args) => property === 'command' && operations.has(operationOf(args[0] as Document)),
  );
  return new Proxy(wrapped, {
    get: (object, property) =>
      property === 'collection'
        ? (name: string) => wrap(db.collection(name), (method) => operations.has(method))
        : Reflect.get(object, property),
  });
};

/**
 * The database as one claim meets it: its insert finds the key taken; `beforeRead` runs just
 * before the claim reads the key (the holder releasing it); the claim's next insert, sent alone,
 * reaches the server and its answer is lost.
 */
const releasedThenLost = (db: Db, beforeRead: () => Promise<unknown>): Db => {
  let inserts = 0;
  return new Proxy(db, {
    get: (target, property) => {
      if (property === 'command') {
        return async (command: Document, options?: Document) => {
          const reply = await target.command(command, options);
          if (command.insert !== undefined && ++inserts === 2) {
            throw new MongoNetworkError('connection reset');
          }
          return reply;
        };
      }
      if (property === 'collection') {
        return (name: string) =>
          new Proxy(target.collection(name), {
            get: (collection, method) =>
              method === 'find'
                ? (filter: Document, options?: Document) => ({
                    toArray: async () => {
                      await beforeRead();
                      return collection.find(filter, options).toArray();
                    },
                  })
                : Reflect.get(collection, method, collection),
          });
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
};

/** A client whose commands on the test database are recorded. */
const monitoredDatabase = async (): Promise<{
  db: Db;
  commands: CommandStartedEvent[];
  close: () => Promise<void>;
}> => {
  const client = new MongoClient(database.uri, { monitorCommands: true });
  const commands: CommandStartedEvent[] = [];
  client.on('commandStarted', (event) => {
    if (event.databaseName === database.databaseName) commands.push(event);
  });
  await client.connect();
  return { db: client.db(database.databaseName), commands, close: () => client.close() };
};

const captureError = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
};

describe('MongoPersistenceLayer', () => {
  it('claims an absent key with an in-progress record that expires with the Lambda', async () => {
    // Prepare
    const layer = createLayer();
    const data = request();
    const before = Date.now();

    // Act
    await layer.saveInProgress(data, 30_000);

    // Assess
    const stored = await collection.find().toArray();
    expect(stored).toHaveLength(1);
    expect(stored[0]?._id).toMatch(/^test#/);
    expect(stored[0]?.status).toBe('INPROGRESS');
    expect(stored[0]?.generation).toEqual(expect.any(String));
    expect(stored[0]?.inProgressExpiresAt?.getTime()).toBeGreaterThanOrEqual(before + 30_000 - 50);
    expect(stored[0]?.expiresAt.getTime()).toBeGreaterThan(before + 3_500_000);
  });

  it('refuses a key in progress, carrying the existing record', async () => {
    const layer = createLayer();
    const data = request();
    await layer.saveInProgress(data, 30_000);

    const error = await captureError(createLayer().saveInProgress(data, 30_000));

    expect(error).toBeInstanceOf(IdempotencyItemAlreadyExistsError);
    expect((error as IdempotencyItemAlreadyExistsError).existingRecord?.getStatus()).toBe(
      'INPROGRESS',
    );
  });

  it('refuses a completed key, carrying its stored response', async () => {
    const layer = createLayer();
    const data = request();
    await layer.saveInProgress(data, 30_000);
    await layer.saveSuccess(data, { orderId: 'ORD-1', outcome: 'created' });

    const error = await captureError(createLayer().saveInProgress(data, 30_000));

    const existing = (error as IdempotencyItemAlreadyExistsError).existingRecord;
    expect(error).toBeInstanceOf(IdempotencyItemAlreadyExistsError);
    expect(existing?.getStatus()).toBe('COMPLETED');
    expect(existing?.getResponse()).toEqual({ orderId: 'ORD-1', outcome: 'created' });
    const stored = await collection.findOne({ _id: existing?.idempotencyKey ?? '' });
    expect(stored?.inProgressExpiresAt).toBeUndefined();
  });

  it('takes over an expired record', async () => {
    const layer = createLayer();
    const data = request();
    await layer.saveInProgress(data, 30_000);
    await layer.saveSuccess(data, { done: true });
    const key = (await collection.findOne({}))?._id ?? '';
    await collection.updateOne({ _id: key }, { $set: { expiresAt: new Date(Date.now() - 1000) } });

    await createLayer().saveInProgress(data, 30_000);

    expect(await collection.findOne({ _id: key })).toMatchObject({ status: 'INPROGRESS' });
    expect((await collection.findOne({ _id: key }))?.data).toBeUndefined();
  });

  it('takes over a claim whose holder ran out of time; the holder can then neither complete nor release it', async () => {
    // Prepare: a holder whose invocation timed out (its in-progress expiry has passed)
    const holder = createLayer();
    const data = request();
    await holder.saveInProgress(data, 30_000);
    const key = (await collection.findOne({}))?._id ?? '';
    await collection.updateOne(
      { _id: key },
      { $set: { inProgressExpiresAt: new Date(Date.now() - 1) } },
    );
    const before = Date.now();

    // Act: another container takes over; the old holder wakes up and finishes
    await createLayer().saveInProgress(data, 30_000);
    const taken = await collection.findOne({ _id: key });
    await holder.saveSuccess(data, { stale: true });
    await holder.deleteRecord(data);

    // Assess
    expect(taken?.inProgressExpiresAt?.getTime()).toBeGreaterThanOrEqual(before + 29_000);
    expect(await collection.findOne({ _id: key })).toEqual(taken);
  });

  it('lets exactly one of many concurrent claimants win', async () => {
    const data = request();
    const layers = Array.from({ length: 10 }, () => createLayer());

    const results = await Promise.allSettled(
      layers.map((layer) => layer.saveInProgress(data, 30_000)),
    );

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const result of results.filter((r) => r.status === 'rejected')) {
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(
        IdempotencyItemAlreadyExistsError,
      );
    }
  });

  it('lets one of many concurrent claimants take over a stale record on MongoDB (FerretDB v1 may let several)', async () => {
    // Prepare
    const data = request();
    await createLayer().saveInProgress(data, 30_000);
    await collection.updateMany({}, { $set: { inProgressExpiresAt: new Date(0) } });
    const layers = Array.from({ length: 10 }, () => createLayer());

    // Act
    const results = await Promise.allSettled(
      layers.map((layer) => layer.saveInProgress(data, 30_000)),
    );

    // Assess: MongoDB applies the conditional replace atomically; FerretDB v1 reads, then writes,
    // so two takers can both match (the insert-only order write keeps the order single there).
    const won = results.filter((r) => r.status === 'fulfilled').length;
    if ((await serverKind(database.db)) === 'mongodb') expect(won).toBe(1);
    else expect(won).toBeGreaterThanOrEqual(1);
    expect(await collection.countDocuments({ status: 'INPROGRESS' })).toBe(1);
  });

  it('completes and releases with one conditional write each, filtered by _id and generation', async () => {
    // Prepare
    const monitored = await monitoredDatabase();
    const layer = createLayer({ db: monitored.db });
    const completed = request();
    const released = request();
    try {
      await layer.saveInProgress(completed, 30_000);
      await layer.saveInProgress(released, 30_000);
      const stored = await collection.find().toArray();
      monitored.commands.length = 0;

      // Act
      await layer.saveSuccess(completed, { ok: true });
      await layer.deleteRecord(released);

      // Assess: no read; each write names the claim it acts on
      expect(monitored.commands.map((c) => c.commandName)).toEqual(['update', 'delete']);
      const [update, remove] = monitored.commands.map((c) => c.command);
      const filters = [update?.updates?.[0]?.q, remove?.deletes?.[0]?.q];
      for (const filter of filters) {
        expect(filter).toEqual({
          _id: expect.any(String),
          generation: expect.any(String),
          status: 'INPROGRESS',
        });
        expect(stored.map((document) => document.generation)).toContain(filter.generation);
      }
    } finally {
      await monitored.close();
    }
  });

  it('claims concurrent keys with one insert, and completes them with one update', async () => {
    // Prepare
    const monitored = await monitoredDatabase();
    const layer = createLayer({ db: monitored.db });
    const batch = Array.from({ length: 10 }, () => request());
    try {
      // Act
      await Promise.all(batch.map((data) => layer.saveInProgress(data, 30_000)));
      const claims = monitored.commands.map((c) => c.commandName);
      monitored.commands.length = 0;
      await Promise.all(batch.map((data) => layer.saveSuccess(data, { ok: true })));

      // Assess
      expect(claims).toEqual(['insert']);
      expect(monitored.commands.map((c) => c.commandName)).toEqual(['update']);
      expect(await collection.countDocuments({ status: 'COMPLETED' })).toBe(10);
    } finally {
      await monitored.close();
    }
  });

  it('keeps each update command under 100 statements, which FerretDB v1 never answers', async () => {
    // Prepare
    const monitored = await monitoredDatabase();
    const layer = createLayer({ db: monitored.db });
    const batch = Array.from({ length: 250 }, () => request());
    try {
      await Promise.all(batch.map((data) => layer.saveInProgress(data, 30_000)));
      monitored.commands.length = 0;

      // Act
      await Promise.all(batch.map((data) => layer.saveSuccess(data, { ok: true })));

      // Assess
      const sizes = monitored.commands.map((c) => c.command.updates?.length);
      expect(sizes).toEqual([99, 99, 52]);
      expect(await collection.countDocuments({ status: 'COMPLETED' })).toBe(250);
    } finally {
      await monitored.close();
    }
  });

  it('recognises its own claim when the answer to its insert was lost', async () => {
    const data = request();
    const lost = new Set(['insert']);
    const layer = createLayer({ db: resetting(database.db, lost) });
    await expect(layer.saveInProgress(data, 30_000)).rejects.toThrow('connection reset');
    lost.clear();

    // Another container sees a claim in progress; this one, retrying, finds its own.
    await expect(createLayer().saveInProgress(data, 30_000)).rejects.toBeInstanceOf(
      IdempotencyItemAlreadyExistsError,
    );
    await layer.saveInProgress(data, 30_000);
    await layer.saveSuccess(data, { ok: true });

    expect(await collection.find().toArray()).toMatchObject([{ status: 'COMPLETED' }]);
  });

  it('finishes its own claim on a retry after completing it failed', async () => {
    const data = request();
    const lost = new Set<string>();
    const layer = createLayer({ db: resetting(database.db, lost, 'before') });
    await layer.saveInProgress(data, 30_000);
    lost.add('update');
    await expect(layer.saveSuccess(data, { ok: true })).rejects.toThrow('connection reset');
    lost.clear();

    await layer.saveInProgress(data, 30_000);
    await layer.saveSuccess(data, { ok: true });

    expect(await collection.find().toArray()).toMatchObject([{ status: 'COMPLETED' }]);
  });

  it('refuses a second record of the same batch while the first holds the claim', async () => {
    const data = request();
    const layer = createLayer();
    await layer.saveInProgress(data, 30_000);

    await expect(layer.saveInProgress(data, 30_000)).rejects.toBeInstanceOf(
      IdempotencyItemAlreadyExistsError,
    );
    await layer.saveSuccess(data, { ok: true });
    expect(await collection.find().toArray()).toMatchObject([{ status: 'COMPLETED' }]);
  });

  it('lets one of two records of a batch claim their order, both running at once', async () => {
    for (const [first, second] of [
      ['same', 'same'],
      ['original', 'changed'],
    ]) {
      const data = request(first);
      const layer = createLayer();

      const results = await Promise.allSettled([
        layer.saveInProgress(data, 30_000),
        layer.saveInProgress({ ...data, payload: second }, 30_000),
      ]);

      const won = results.filter((result) => result.status === 'fulfilled');
      expect(won).toHaveLength(1);
      await layer.saveSuccess(
        results[0]?.status === 'fulfilled' ? data : { ...data, payload: second },
        { ok: true },
      );
      expect(await collection.findOne({ status: 'COMPLETED' })).not.toBeNull();
    }
  });

  it('does not take back a lost claim for other content', async () => {
    const data = request('original');
    const lost = new Set(['insert']);
    const layer = createLayer({ db: resetting(database.db, lost) });
    await expect(layer.saveInProgress(data, 30_000)).rejects.toThrow('connection reset');
    lost.clear();

    await expect(
      layer.saveInProgress({ ...data, payload: 'changed' }, 30_000),
    ).rejects.toBeInstanceOf(IdempotencyItemAlreadyExistsError);
  });

  it('takes back its stored claim when two claims of its key were lost in one insert', async () => {
    // Two records of a batch carry one order: the server stores the first claim, the second is a
    // duplicate, and the answer is lost. Either may be the stored one.
    const data = request();
    const lost = new Set(['insert']);
    const layer = createLayer({ db: resetting(database.db, lost) });
    const first = await Promise.allSettled([
      layer.saveInProgress(data, 30_000),
      layer.saveInProgress(data, 30_000),
    ]);
    lost.clear();

    await layer.saveInProgress(data, 30_000);
    await layer.saveSuccess(data, { ok: true });

    expect(first.map(({ status }) => status)).toEqual(['rejected', 'rejected']);
    expect(await collection.find().toArray()).toMatchObject([{ status: 'COMPLETED' }]);
  });

  it('takes back a claim sent again alone, after its key was released, whose answer was lost', async () => {
    // Another container holds the key and releases it between our insert and our read; our
    // claim, inserted again alone, reaches the server and its answer is lost.
    const data = request();
    const holder = createLayer();
    await holder.saveInProgress(data, 30_000);
    const layer = createLayer({
      db: releasedThenLost(database.db, () => holder.deleteRecord(data)),
    });
    await expect(layer.saveInProgress(data, 30_000)).rejects.toThrow('connection reset');

    await layer.saveInProgress(data, 30_000);
    await layer.saveSuccess(data, { ok: true });

    expect(await collection.find().toArray()).toMatchObject([{ status: 'COMPLETED' }]);
  });

  it('never checks a payload against a claim in progress, whose content was never stored', async () => {
    const data = request('original');
    await createLayer().saveInProgress(data, 30_000);

    const error = await captureError(
      createLayer().saveInProgress({ ...data, payload: 'changed' }, 30_000),
    );

    expect(error).toBeInstanceOf(IdempotencyItemAlreadyExistsError);
    expect(() =>
      createLayer().processExistingRecord(
        (error as IdempotencyItemAlreadyExistsError).existingRecord as IdempotencyRecord,
        { ...data, payload: 'changed' },
      ),
    ).not.toThrow();
  });

  it('reports a payload that differs from the stored one', async () => {
    const layer = createLayer();
    const data = request('original');
    await layer.saveInProgress(data, 30_000);
    await layer.saveSuccess(data, { ok: true });

    const error = await captureError(createLayer().getRecord({ ...data, payload: 'changed' }));

    expect(error).toBeInstanceOf(IdempotencyValidationError);
  });

  it('releases an in-progress claim on failure but never deletes a completed record', async () => {
    const layer = createLayer();
    const failed = request();
    const completed = request();
    await layer.saveInProgress(failed, 30_000);
    await layer.saveInProgress(completed, 30_000);
    await layer.saveSuccess(completed, { ok: true });

    await layer.deleteRecord(failed);
    await layer.deleteRecord(completed);

    await expect(createLayer().saveInProgress(failed, 30_000)).resolves.toBeUndefined();
    await expect(createLayer().saveInProgress(completed, 30_000)).rejects.toBeInstanceOf(
      IdempotencyItemAlreadyExistsError,
    );
  });

  it('makes the TTL index, or warns with the code where the server has none', async () => {
    // Act
    await createLayer().ensureIndexes();

    // Assess
    if ((await serverKind(database.db)) === 'mongodb') {
      const indexes = await collection.listIndexes().toArray();
      expect(indexes).toContainEqual(
        expect.objectContaining({
          name: 'expiresAt_ttl',
          key: { expiresAt: 1 },
          expireAfterSeconds: 0,
        }),
      );
      expect(warnings).toEqual([]);
    } else {
      // FerretDB v1 answers NotImplemented (238) to `expireAfterSeconds`.
      expect(warnings).toEqual([
        [
          expect.stringContaining('idempotency index not created'),
          expect.objectContaining({ code: 238 }),
        ],
      ]);
    }
  });

  it('claims and completes orders when an index on expiresAt already exists with other options', async () => {
    // Prepare: an operator's index on the same key, under another name and without a TTL
    await collection.createIndex({ expiresAt: 1 }, { name: 'by_expiry' });
    const layer = createLayer();
    const data = request();

    // Act
    await layer.ensureIndexes();
    await layer.saveInProgress(data, 30_000);
    await layer.saveSuccess(data, { ok: true });

    // Assess: the conflict (MongoDB 85, FerretDB 238) was logged once, with its code
    expect(warnings).toEqual([
      [
        expect.stringContaining('idempotency index not created'),
        expect.objectContaining({ code: expect.any(Number) }),
      ],
    ]);
    expect(await collection.find().toArray()).toMatchObject([{ status: 'COMPLETED' }]);
  });
});
