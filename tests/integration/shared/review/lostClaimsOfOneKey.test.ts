import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { type Db, type Document, MongoNetworkError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type IdempotencyDocument,
  MongoPersistenceLayer,
} from '../../../../lambda/shared/MongoPersistenceLayer.js';
import { openTestDatabase, type TestDatabase } from '../../../helpers/testDatabase.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await openTestDatabase('review_lost_claims');
});

afterAll(async () => {
  await database.close();
});

/**
 * The database, except that while `lose.on` an `insert` command runs on the server and its answer
 * is lost (a connection reset after the write). Every insert's documents are noted.
 */
const losingInsertAnswers = (db: Db) => {
  const lose = { on: true };
  const inserted: Document[] = [];
  const proxy = new Proxy(db, {
    get: (target, property) => {
      const value = Reflect.get(target, property, target);
      if (property !== 'command') return typeof value === 'function' ? value.bind(target) : value;
      return async (command: Document, options?: Document) => {
        const reply = await target.command(command, options);
        if (command.insert !== undefined) {
          inserted.push(...(command.documents as Document[]));
          if (lose.on) throw new MongoNetworkError('connection reset');
        }
        return reply;
      };
    },
  });
  return { db: proxy, lose, inserted };
};

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

describe('MongoPersistenceLayer, two claims of one key whose insert answer was lost', () => {
  it('takes back its own stored claim on a later attempt alone on the key', async () => {
    // Prepare: two records of one batch carry the same order; their claims go out in one insert,
    // the server stores the first (the second is a duplicate), and the answer is lost
    const collectionName = 'idempotency_two_lost';
    const { db, lose, inserted } = losingInsertAnswers(database.db);
    const layer = createLayer(db, collectionName);
    const data = { id: 'ORD-1', payload: 'same' };
    const first = await Promise.allSettled([
      layer.saveInProgress(data, 30_000),
      layer.saveInProgress(data, 30_000),
    ]);
    lose.on = false;
    const stored = await database.db.collection<IdempotencyDocument>(collectionName).findOne({});

    // Act: one of the two records retries, alone on its key, same content, same container
    const retry = await Promise.allSettled([layer.saveInProgress(data, 30_000)]);

    // Assess: the stored claim is this container's own (first of its two generations); the
    // docs promise that such a claim is taken back. #unanswered kept only the last generation
    // written for the key (the duplicate that was never stored), so the retry is refused as
    // "in progress" by its own claim until that claim goes stale.
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(inserted.slice(0, 2).map((d) => d.generation)).toContain(stored?.generation);
    expect(retry.map((r) => (r.status === 'rejected' ? String(r.reason) : r.status))).toEqual([
      'fulfilled',
    ]);
  });
});
