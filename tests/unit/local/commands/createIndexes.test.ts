import type { Collection } from 'mongodb';
import { MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createIdempotencyIndexes } from '../../../../local/commands/createIndexes.js';

/** A collection whose createIndex fails with `code`, and which lists `existing`. */
const collectionFailing = (code: number | undefined, existing: object[] = []) =>
  ({
    dbName: 'order_db',
    collectionName: 'idempotency',
    createIndex: async () => {
      if (code !== undefined) throw new MongoServerError({ message: `failed with ${code}`, code });
      return 'expiresAt_ttl';
    },
    listIndexes: () => ({ toArray: async () => existing }),
  }) as unknown as Collection;

describe('createIdempotencyIndexes', () => {
  it('reports the TTL index when the server made it (or had it already)', async () => {
    const report = await createIdempotencyIndexes(collectionFailing(undefined), 'mongodb');

    expect(report).toEqual({
      ok: true,
      lines: [`ok: order_db.idempotency has 'expiresAt_ttl' {"expiresAt":1}, expireAfterSeconds 0`],
    });
  });

  it('names the conflicting index and how to drop it', async () => {
    const existing = [{ name: 'by_expiry', key: { expiresAt: 1 } }];

    const report = await createIdempotencyIndexes(collectionFailing(85, existing), 'mongodb');

    expect(report.ok).toBe(false);
    expect(report.lines.join('\n')).toContain(`has 'by_expiry' {"expiresAt":1}`);
    expect(report.lines.join('\n')).toContain(
      "db.getSiblingDB('order_db').idempotency.dropIndex('by_expiry')",
    );
  });

  it('says a server without TTL indexes keeps expired records, and is not a failure', async () => {
    const report = await createIdempotencyIndexes(collectionFailing(238), 'ferretdb');

    expect(report.ok).toBe(true);
    expect(report.lines[0]).toMatch(/^warning: this server cannot expire order_db\.idempotency/);
    expect(report.lines[1]).toMatch(/FerretDB v1 has no TTL indexes/);
  });

  it('says which privilege is missing', async () => {
    const report = await createIdempotencyIndexes(collectionFailing(13), 'mongodb');

    expect(report.ok).toBe(false);
    expect(report.lines[0]).toMatch(/may not create indexes on order_db\.idempotency/);
  });

  it("gives Cosmos DB (RU)'s way to expire records, by _ts, when it refuses the index", async () => {
    const report = await createIdempotencyIndexes(collectionFailing(2), 'cosmos-ru');

    expect(report.ok).toBe(true);
    expect(report.lines[1]).toMatch(/expires documents only by `_ts`/);
  });
});
