import { type Db, type MongoClientOptions as DriverOptions, MongoClient } from 'mongodb';
import { ConnectionString } from 'mongodb-connection-string-url';
import type { MongoSecurity } from './config.js';
import { mongoSecurityOptions } from './mongoSecurityOptions.js';

/** Options of the one MongoDB client a container keeps. */
export interface MongoClientOptions {
  /** Connections this container may open. Lambda runs one invocation at a time per container,
   *  so this bounds the records of one batch that talk to MongoDB at once. */
  readonly maxPoolSize: number;
  /** Shown in MongoDB's logs and `currentOp`, to tell the consumer from the health check. */
  readonly appName: string;
  /** A private CA and IAM authentication, beyond the URI ({@link mongoSecurityOptions}). */
  readonly security?: MongoSecurity;
}

/**
 * `defaults` less every option the connection string sets: the URI is the server's own advice
 * (DocumentDB's says `retryWrites=false`, a replica set's `readPreference`, TLS and its CA), and
 * the driver would let an option given in code override it.
 */
export const uriDecides = (uri: string, defaults: DriverOptions): DriverOptions => {
  const given = new Set(
    [...new ConnectionString(uri).searchParams.keys()].map((key) => key.toLowerCase()),
  );
  return Object.fromEntries(
    Object.entries(defaults).filter(([key]) => !given.has(key.toLowerCase())),
  );
};

/**
 * Creates the container's MongoDB client. It connects lazily on the first operation and is reused
 * by every invocation of the container. These are defaults; what the URI says wins.
 *
 * - No `serverSelectionTimeoutMS` of ours: an operation waits for a primary (a failover, an
 *   outage) as long as the invocation's time allows, and no longer: each carries an abort signal
 *   and `maxTimeMS` from the invocation's deadline (`InvocationDeadline`, `timeLimit`).
 * - `connectTimeoutMS` 3 s: a server that accepts no connection is retried by the driver's
 *   monitor instead of one socket waiting 30 s.
 * - `minPoolSize` 0 and `maxIdleTimeMS` 60 s: a frozen container holds no idle sockets for long.
 * - Retries: the driver retries a collection write once (`retryWrites`, on a replica set) and a
 *   read once (`retryReads`), but never `db.command`, which carries every write of the consumer:
 *   the consumer retries those itself within the invocation's time, and none carries a
 *   `txnNumber`, so servers that refuse retryable writes (DocumentDB) take them all.
 */
export const createMongoClient = (uri: string, options: MongoClientOptions): MongoClient =>
  new MongoClient(uri, {
    ...uriDecides(uri, {
      appName: options.appName,
      maxPoolSize: options.maxPoolSize,
      minPoolSize: 0,
      maxIdleTimeMS: 60_000,
      connectTimeoutMS: 3_000,
    }),
    ...mongoSecurityOptions(options.security),
  });

/**
 * The database the consumer writes through: every write acknowledged by a majority of the replica
 * set, whatever the URI says (`w=1` included). A write acknowledged by the primary alone can be
 * rolled back by a failover after SQS has deleted its message: the order would be lost.
 */
export const orderDatabase = (client: MongoClient, databaseName: string): Db =>
  client.db(databaseName, { writeConcern: { w: 'majority' } });
