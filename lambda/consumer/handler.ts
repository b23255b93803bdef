import { Metrics } from '@aws-lambda-powertools/metrics';
import { loadConfig } from '../shared/config.js';
import { createLogger } from '../shared/logger.js';
import { createMongoClient } from '../shared/mongoClient.js';
import { resolveMongoUri } from '../shared/mongoUri.js';
import { createConsumerDependencies } from './createConsumerDependencies.js';
import { createConsumerHandler } from './createConsumerHandler.js';
import type { SendMessageBatch } from './DeadLetterQueue.js';
import { CONSUMER_SERVICE_NAME, ORDER_METRICS_NAMESPACE } from './orderMetrics.js';

// Once per container: a bad variable fails the cold start with one line naming it.
const config = loadConfig(process.env);
const logger = createLogger(CONSUMER_SERVICE_NAME, config.logLevel);
const client = createMongoClient(await resolveMongoUri(config.mongoUri), {
  maxPoolSize: config.mongoMaxPoolSize,
  appName: CONSUMER_SERVICE_NAME,
  security: config.mongoSecurity,
});

// The SQS client comes from the runtime's AWS SDK (`runtimeProvidedModules` in
// `infra/lambdaBundling.ts`), loaded with the first dead letter: cold starts never pay for it.
let sqsSender: Promise<SendMessageBatch> | undefined;
const sendMessageBatch: SendMessageBatch = async (input, options) => {
  sqsSender ??= import('@aws-sdk/client-sqs').then(({ SQSClient, SendMessageBatchCommand }) => {
    const sqs = new SQSClient({});
    return (batch, sendOptions) => sqs.send(new SendMessageBatchCommand(batch), sendOptions);
  });
  return (await sqsSender)(input, options);
};

/** The consumer Lambda: SQS batch in, `batchItemFailures` out. */
export const handler = createConsumerHandler(
  createConsumerDependencies({
    config,
    client,
    logger,
    metrics: new Metrics({
      namespace: ORDER_METRICS_NAMESPACE,
      serviceName: CONSUMER_SERVICE_NAME,
    }),
    sendMessageBatch,
  }),
);
