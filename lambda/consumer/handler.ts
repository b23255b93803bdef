import { loadConfig } from '../shared/config.js';
import { createLogger } from '../shared/logger.js';
import { createMongoClient } from '../shared/mongoClient.js';
import { resolveMongoUri } from '../shared/mongoUri.js';
import { createConsumerDependencies } from './createConsumerDependencies.js';
import { createConsumerHandler } from './createConsumerHandler.js';

// Once per container: a bad variable fails the cold start with one line naming it.
const config = loadConfig(process.env);
const logger = createLogger('order-consumer', config.logLevel);
const client = createMongoClient(await resolveMongoUri(config.mongoUri), {
  maxPoolSize: config.mongoMaxPoolSize,
  appName: 'order-consumer',
});

/** The consumer Lambda: SQS batch in, `batchItemFailures` out. */
export const handler = createConsumerHandler(createConsumerDependencies(config, client, logger));
