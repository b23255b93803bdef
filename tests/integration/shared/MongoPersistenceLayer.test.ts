import {
  IdempotencyConfig,
  IdempotencyItemAlreadyExistsError,
  IdempotencyValidationError,
} from '@aws-lambda-powertools/idempotency';
import type { Collection } from 'mongodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type IdempotencyDocument,
  MongoPersistenceLayer,
} from '../../../lambda/shared/MongoPersistenceLayer.js';
import { openTestDatabase, type TestDatabase } from '../../helpers/testDatabase.js';

let database: TestDatabase;
let collection: Collection<IdempotencyDocument>;
let collections = 0;

beforeAll(async () => {
  database = await openTestDatabase('persistence');
});

// Each test gets its own collection, so "the record" is simply the only one there.
beforeEach(() => {
  collection = database.db.collection<IdempotencyDocument>(`idempotency_${collections++}`);
});

afterAll(async () => {
  await database.close();
});

const warnings: unknown[][] = [];

const createLayer = (
  options: { now?: () => number; collection?: Collection<IdempotencyDocument> } = {},
): MongoPersistenceLayer => {
  const layer = new MongoPersistenceLayer({
    collection,
    logger: { warn: (...args: unknown[]) => warnings.push(args) },
    ...options,
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

/**
 * The collection, except that the named operations fail as on a connection reset: `before` the
 * server gets them, or after it ran them, their answer lost.
 */
const resetting = (
  target: Collection<IdempotencyDocument>,
  operations: ReadonlySet<string>,
  when: 'before' | 'after' = 'after',
): Collection<IdempotencyDocument> =>
  new Proxy(target, {
    get: (collection, property, receiver) => {
      const value = Reflect.get(collection, property, receiver);
      if (typeof property !== 'string' || !operations.has(property)) return value;
      return async (...args: unknown[]) => {
        if (when === 'after') {
          await (value as (...a: unknown[]) => Promise<unknown>).apply(collection, args);
        }
        throw new Error('connection reset');
      };
    },
  });

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

  it('takes over an in-progress record whose holder ran out of time (crashed or timed out)', async () => {
    // The holder's clock runs on past its in-progress expiry, as a frozen Lambda's would.
    let holderClock = Date.now();
    const layer = createLayer({ now: () => holderClock });
    const data = request();
    await layer.saveInProgress(data, 30_000);
    const key = (await collection.findOne({}))?._id ?? '';
    await collection.updateOne(
      { _id: key },
      { $set: { inProgressExpiresAt: new Date(Date.now() - 1) } },
    );
    const before = Date.now();

    await createLayer().saveInProgress(data, 30_000);

    const stored = await collection.findOne({ _id: key });
    expect(stored?.status).toBe('INPROGRESS');
    expect(stored?.inProgressExpiresAt?.getTime()).toBeGreaterThanOrEqual(before + 29_000);
    // The former holder, waking up, can neither release nor complete the new claim.
    holderClock += 31_000;
    await layer.deleteRecord(data);
    await layer.saveSuccess(data, { stale: true });
    expect(await collection.findOne({ _id: key })).toMatchObject({ status: 'INPROGRESS' });
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

  it('lets exactly one of many concurrent claimants take over a stale record', async () => {
    const data = request();
    await createLayer().saveInProgress(data, 30_000);
    await collection.updateMany(
      { status: 'INPROGRESS' },
      { $set: { inProgressExpiresAt: new Date(0) } },
    );
    const layers = Array.from({ length: 10 }, () => createLayer());

    const results = await Promise.allSettled(
      layers.map((layer) => layer.saveInProgress(data, 30_000)),
    );

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await collection.countDocuments({ status: 'INPROGRESS' })).toBe(1);
  });

  it('lets a failed take-over block others for one lease only', async () => {
    // Prepare: a stale claim, and a claimant whose replace is lost after its take-over marker
    const data = request();
    await createLayer().saveInProgress(data, 30_000);
    await collection.updateMany({}, { $set: { inProgressExpiresAt: new Date(0) } });
    const lostReplace = resetting(collection, new Set(['replaceOne']), 'before');
    let clock = Date.now();
    const now = () => clock;
    await expect(
      createLayer({ now, collection: lostReplace }).saveInProgress(data, 30_000),
    ).rejects.toThrow('connection reset');

    // Act & Assess: refused while the lease lasts, taken over once it has passed
    await expect(createLayer({ now }).saveInProgress(data, 30_000)).rejects.toBeInstanceOf(
      IdempotencyItemAlreadyExistsError,
    );
    clock += 10_000;
    await expect(createLayer({ now }).saveInProgress(data, 30_000)).resolves.toBeUndefined();
    expect(await collection.countDocuments({ status: 'INPROGRESS' })).toBe(1);
  });

  it('recognises its own claim when the answer to its insert was lost', async () => {
    const data = request();
    const lost = new Set(['insertOne']);
    const layer = createLayer({ collection: resetting(collection, lost) });
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
    const layer = createLayer({ collection: resetting(collection, lost) });
    await layer.saveInProgress(data, 30_000);
    lost.add('updateOne');
    await expect(layer.saveSuccess(data, { ok: true })).rejects.toThrow();
    await collection.updateMany({}, { $set: { status: 'INPROGRESS' } });
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
        {
          ok: true,
        },
      );
      expect(await collection.findOne({ status: 'COMPLETED' })).not.toBeNull();
    }
  });

  it('does not take back a lost claim for other content', async () => {
    const data = request('original');
    const lost = new Set(['insertOne']);
    const layer = createLayer({ collection: resetting(collection, lost) });
    await expect(layer.saveInProgress(data, 30_000)).rejects.toThrow('connection reset');
    lost.clear();

    await expect(
      layer.saveInProgress({ ...data, payload: 'changed' }, 30_000),
    ).rejects.toBeInstanceOf(IdempotencyItemAlreadyExistsError);
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

  it('expires records with a TTL index, or warns where the server has none', async () => {
    await createLayer().ensureIndexes();

    // FerretDB has no collection yet when the index was refused.
    const indexes = await collection
      .listIndexes()
      .toArray()
      .catch(() => []);
    const ttl = indexes.find((index) => index.name === 'expiresAt_ttl');
    if (ttl === undefined) {
      // FerretDB v1 answers NotImplemented: the layer must have said so.
      expect(warnings.map((w) => String(w[0]))).toContainEqual(
        expect.stringContaining('does not support TTL indexes'),
      );
    } else {
      expect(ttl).toMatchObject({ key: { expiresAt: 1 }, expireAfterSeconds: 0 });
    }
  });
});
