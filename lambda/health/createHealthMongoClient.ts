import { MongoClient } from 'mongodb';
import type { MongoSecurity } from '../shared/config.js';
import { uriDecides } from '../shared/mongoClient.js';
import { mongoSecurityOptions } from '../shared/mongoSecurityOptions.js';

/**
 * The health check's MongoDB client: one connection, and server selection and connecting bounded
 * by the check's timeout, so an unreachable server is reported in about `checkTimeoutMs` instead of
 * the driver's default 30 s. It connects lazily on the first ping and is reused by the container.
 * What the URI says wins over these defaults; `security` (the consumer's too) over both.
 */
export const createHealthMongoClient = (
  uri: string,
  checkTimeoutMs: number,
  security?: MongoSecurity,
): MongoClient =>
  new MongoClient(uri, {
    ...uriDecides(uri, {
      appName: 'order-health',
      maxPoolSize: 1,
      minPoolSize: 0,
      maxIdleTimeMS: 60_000,
      serverSelectionTimeoutMS: checkTimeoutMs,
      connectTimeoutMS: checkTimeoutMs,
      // A ping that failed is the answer; retrying it would only stretch the response past its bound.
      retryReads: false,
    }),
    ...mongoSecurityOptions(security),
  });
