import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { type Db, type Document, type Filter, MongoNetworkError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type IdempotencyDocument,
  MongoPersistenceLayer,
} from '../../../../lambda/shared/MongoPersistenceLayer.js';
import { openTestDatabase, type TestDatabase } from '../../../helpers/testDatabase.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await openTestDatabase('review_lone_reclaim');
});

afterAll(async () => {
  await database.close();
});

const createLayer = (db: Db, collectionName: string) => {
  const layer = new MongoPersistenceLayer({
    db,
    collectionName,
    logger: { info: () => undefined, warn: () => undefined },
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

/**
 * The database as one claim meets it: its batch insert finds the key taken; the holder releases
 * the key just before the claim reads it (`beforeRead`); the claim's insert, sent again alone,
 * reaches the server and its answer is lost.
 */
const releasedThenLost = (db: Db, beforeRead: () => Promise<unknown>) => {
  let inserts = 0;
  const command = async (doc: Document, options?: Document) => {
    const reply = await db.command(doc, options);
    if (doc.insert !== undefined && ++inserts === 2)
      throw new MongoNetworkError('connection reset');
    return reply;
  };
  const collection = (name: string) => {
    const real = db.collection(name);
    return new Proxy(real, {
      get: (target, property) => {
        if (property !== 'find') {
          const value = Reflect.get(target, property, target);
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return (filter: Filter<Document>, options?: Document) => ({
          toArray: async () => {
            await beforeRead();
            return target.find(filter, options).toArray();
          },
        });
      },
    });
  };
  return new Proxy(db, {
    get: (target, property) => {
      if (property === 'command') return command;
      if (property === 'collection') return collection;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
};

describe('MongoPersistenceLayer, a claim sent again alone after its key was released', () => {
  it('takes that claim back on a later attempt when the answer to the lone insert was lost', async () => {
    // Prepare: another container holds the key, and releases it between our insert and our read
    const collectionName = 'idempotency_lone';
    const data = { id: 'ORD-1', payload: 'same' };
    const holder = createLayer(database.db, collectionName);
    await holder.saveInProgress(data, 30_000);
    const held = await database.db.collection<IdempotencyDocument>(collectionName).findOne({});
    const layer = createLayer(
      releasedThenLost(database.db, () => holder.deleteRecord(data)),
      collectionName,
    );
    const first = await Promise.allSettled([layer.saveInProgress(data, 30_000)]);
    const stored = await database.db.collection<IdempotencyDocument>(collectionName).findOne({});

    // Act: the record retries, alone on its key, same content, same container
    const retry = await Promise.allSettled([layer.saveInProgress(data, 30_000)]);

    // Assess: the claim stored is ours (the lone insert reached the server), but #settle's lone
    // insert, unlike the batch insert and the take-over, does not note an unanswered claim in
    // #unanswered: the retry is refused as "in progress" by its own claim until it goes stale.
    expect(first.map((r) => (r.status === 'rejected' ? String(r.reason) : r.status))).toEqual([
      'MongoNetworkError: connection reset',
    ]);
    expect(stored).toMatchObject({ status: 'INPROGRESS' });
    expect(stored?.generation).not.toBe(held?.generation);
    expect(retry.map((r) => (r.status === 'rejected' ? String(r.reason) : r.status))).toEqual([
      'fulfilled',
    ]);
  });
});
