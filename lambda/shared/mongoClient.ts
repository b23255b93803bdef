import { MongoClient } from 'mongodb';
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
 * Creates the container's MongoDB client. It connects lazily on the first operation and is reused
 * by every invocation of the container.
 *
 * - `serverSelectionTimeoutMS` / `connectTimeoutMS` 3 s: an unreachable server is reported in
 *   seconds, not after the driver's default 30 s; each operation is further bounded by an abort signal
 *   derived from the invocation's remaining time (see {@link InvocationDeadline}).
 * - `minPoolSize` 0 and `maxIdleTimeMS` 60 s: a frozen container holds no idle sockets for long.
 * - `retryWrites` / `retryReads`: one transparent retry of a write on a network blip or a failover;
 *   every write here is idempotent, so a retried write cannot create a second order.
 */
export const createMongoClient = (uri: string, options: MongoClientOptions): MongoClient =>
  new MongoClient(uri, {
    ...mongoSecurityOptions(options.security),
    appName: options.appName,
    maxPoolSize: options.maxPoolSize,
    minPoolSize: 0,
    maxIdleTimeMS: 60_000,
    serverSelectionTimeoutMS: 3_000,
    connectTimeoutMS: 3_000,
    retryWrites: true,
    retryReads: true,
  });
