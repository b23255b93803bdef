import { defaultDeploymentSettings } from '../../settings/serviceSettings.js';
import { createLogger } from '../shared/logger.js';
import { resolveMongoUri } from '../shared/mongoUri.js';
import { createHealthHandler } from './createHealthHandler.js';
import { createHealthMongoClient } from './createHealthMongoClient.js';
import { createHealthSqsClient } from './createHealthSqsClient.js';
import { loadHealthConfig } from './loadHealthConfig.js';

// Once per container: a bad variable fails the cold start with one line naming it.
const config = loadHealthConfig(process.env);
const checkTimeoutMs = defaultDeploymentSettings.healthCheckTimeoutMs;
const logger = createLogger('order-health', config.logLevel);
const sqs = createHealthSqsClient(checkTimeoutMs);
const mongo = createHealthMongoClient(
  await resolveMongoUri(config.mongoUri),
  checkTimeoutMs,
  config.mongoSecurity,
);

/** The health Function URL: `GET` → 200 healthy / 503 unhealthy, other methods → 405. */
export const handler = createHealthHandler({
  sqs,
  mongo,
  queueUrl: config.queueUrl,
  deadLetterQueueUrl: config.deadLetterQueueUrl,
  databaseName: config.databaseName,
  logger,
  checkTimeoutMs,
});
