import type { Db } from 'mongodb';
import type { TimeLimit } from './mongoCommands.js';

/**
 * The kinds of server users point `MONGO_URI` at, as far as the consumer must tell them apart:
 * MongoDB (Atlas or self-hosted), Amazon DocumentDB, Azure Cosmos DB for MongoDB (RU and vCore),
 * and FerretDB v1 (the test stand-in). See `docs/compatibility.md`.
 */
export type ServerKind = 'mongodb' | 'documentdb' | 'cosmos-ru' | 'cosmos-vcore' | 'ferretdb';

// The managed services answer `buildInfo` as some MongoDB version; their host names tell them
// apart (the names the MongoDB driver itself recognises them by).
const HOST_SUFFIXES: readonly (readonly [string, ServerKind])[] = [
  ['.docdb.amazonaws.com', 'documentdb'],
  ['.docdb-elastic.amazonaws.com', 'documentdb'],
  ['.mongocluster.cosmos.azure.com', 'cosmos-vcore'],
  ['.mongo.cosmos.azure.com', 'cosmos-ru'],
];

/**
 * Which server `db` is on. FerretDB adds `ferretdbVersion` to `buildInfo`, which any user may run;
 * the others by the host names of the connection string.
 */
export const serverKind = async (
  db: Db,
  { signal, maxTimeMS }: TimeLimit = {},
): Promise<ServerKind> => {
  const info = await db.command(
    { buildInfo: 1, ...(maxTimeMS === undefined ? {} : { maxTimeMS }) },
    signal === undefined ? {} : { signal },
  );
  if (typeof info.ferretdbVersion === 'string') return 'ferretdb';
  const { hosts, srvHost } = db.client.options;
  const names = [srvHost, ...hosts.map((address) => address.host)].flatMap((host) =>
    host === undefined ? [] : [host.toLowerCase()],
  );
  const found = HOST_SUFFIXES.find(([suffix]) => names.some((name) => name.endsWith(suffix)));
  return found?.[1] ?? 'mongodb';
};

/**
 * What to do, per server, when the idempotency collection's TTL index cannot be made: logged by
 * the consumer once per container and printed by `npm run db:indexes`. Orders never depend on it:
 * an expired record is ignored and taken over by the next delivery of its order.
 */
export const TTL_INDEX_ADVICE: Readonly<Record<ServerKind, string>> = {
  mongodb:
    'run `npm run db:indexes` as a user that may create indexes (readWrite or dbAdmin on the database); it names a conflicting index and the dropIndex to run',
  documentdb:
    'DocumentDB supports TTL indexes on a date field: run `npm run db:indexes` as a user that may create indexes',
  'cosmos-ru':
    'Cosmos DB for MongoDB (RU) expires documents only by `_ts`: create { _ts: 1 } with expireAfterSeconds equal to IDEMPOTENCY_EXPIRY_SECONDS on the idempotency collection instead',
  'cosmos-vcore':
    'Cosmos DB for MongoDB (vCore) supports TTL indexes on a date field: run `npm run db:indexes` as a user that may create indexes',
  ferretdb:
    'FerretDB v1 has no TTL indexes: expired records stay until taken over; remove them with deleteMany({ expiresAt: { $lt: new Date() } }) if they pile up',
};
