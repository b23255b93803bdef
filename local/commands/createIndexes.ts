import type { Collection, Document } from 'mongodb';
import { IDEMPOTENCY_INDEXES } from '../../lambda/shared/MongoPersistenceLayer.js';
import { type ServerKind, TTL_INDEX_ADVICE } from '../../lambda/shared/serverKind.js';

/** What `npm run db:indexes` found and did, one line per index, and whether all is well. */
export interface IndexReport {
  readonly ok: boolean;
  readonly lines: readonly string[];
}

const INDEX_OPTIONS_CONFLICT = 85;
const INDEX_KEY_SPECS_CONFLICT = 86;
const UNAUTHORIZED = 13;
const NOT_IMPLEMENTED = 238;

const codeOf = (error: unknown): number => Number((error as { code?: unknown }).code);

const describeIndex = (index: Document): string =>
  `'${index.name}' ${JSON.stringify(index.key)}${
    index.expireAfterSeconds === undefined ? '' : `, expireAfterSeconds ${index.expireAfterSeconds}`
  }`;

/**
 * Creates the indexes the idempotency store needs on `collection` (creating an index that exists
 * with the same options is a no-op), and says for each what happened and, where it failed, how to
 * fix it. The consumer makes the same indexes itself at its first invocation, but never stops for
 * them: this is how an operator sees and fixes a conflict.
 */
export const createIdempotencyIndexes = async (
  collection: Collection,
  kind: ServerKind,
): Promise<IndexReport> => {
  const where = `${collection.dbName}.${collection.collectionName}`;
  const lines: string[] = [];
  let ok = true;
  for (const { key, options } of IDEMPOTENCY_INDEXES) {
    const wanted = describeIndex({ key, ...options });
    try {
      await collection.createIndex(key, options);
      lines.push(`ok: ${where} has ${wanted}`);
    } catch (error) {
      const code = codeOf(error);
      if (code === INDEX_OPTIONS_CONFLICT || code === INDEX_KEY_SPECS_CONFLICT) {
        ok = false;
        const same = (await collection.listIndexes().toArray()).filter(
          (index) =>
            JSON.stringify(index.key) === JSON.stringify(key) || index.name === options.name,
        );
        lines.push(
          `conflict: ${where} needs ${wanted}, but has ${same.map(describeIndex).join(' and ') || 'an index that conflicts'}.`,
          `  Fix: db.getSiblingDB('${collection.dbName}').${collection.collectionName}.dropIndex('${same[0]?.name ?? options.name}'), then run npm run db:indexes again.`,
          '  Until then the consumer stores orders as usual; expired idempotency records stay until a later delivery takes them over.',
        );
      } else if (code === NOT_IMPLEMENTED || kind === 'ferretdb' || kind === 'cosmos-ru') {
        lines.push(
          `warning: this server cannot expire ${where} by expiresAt (${(error as Error).message}): expired records stay until a delivery takes them over.`,
          `  Advice: ${TTL_INDEX_ADVICE[kind]}.`,
        );
      } else if (code === UNAUTHORIZED) {
        ok = false;
        lines.push(
          `not allowed: the user of MONGO_URI may not create indexes on ${where}: run this with a user that may (the readWrite or dbAdmin role on ${collection.dbName}).`,
        );
      } else {
        ok = false;
        lines.push(
          `failed: ${where} ${wanted}: ${(error as Error).message}`,
          `  Advice: ${TTL_INDEX_ADVICE[kind]}.`,
        );
      }
    }
  }
  return { ok, lines };
};
