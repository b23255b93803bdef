import { createConsumerDependencies } from '../../lambda/consumer/createConsumerDependencies.js';
import {
  type ConsumerHandler,
  createConsumerHandler,
} from '../../lambda/consumer/createConsumerHandler.js';
import type { SendMessageBatch } from '../../lambda/consumer/DeadLetterQueue.js';
import { loadConfig } from '../../lambda/shared/config.js';
import { createMongoClient } from '../../lambda/shared/mongoClient.js';
import { CountingMetrics } from './CountingMetrics.js';
import type { ContainerFactory } from './EventSourceMappingEmulator.js';
import { LocalLogger, type LogSink } from './LocalLogger.js';

/** Options of {@link consumerContainerFactory}. */
export interface ConsumerContainerOptions {
  /** The environment the function would get (MONGO_URI, MONGO_DB_NAME, LOG_LEVEL, …). */
  readonly environment: Readonly<Record<string, string | undefined>>;
  readonly logSink: LogSink;
  /** Where the containers send dead letters: the local SQS endpoint. */
  readonly sendMessageBatch: SendMessageBatch;
  /** Where the containers count their metrics, all together. */
  readonly metrics: Map<string, number>;
  /**
   * Wraps each container's handler, e.g. to inject faults. Receives the container id.
   * The default is the real handler, untouched.
   */
  readonly wrapHandler?: (handler: ConsumerHandler, containerId: string) => ConsumerHandler;
}

/**
 * The consumer's cold start, once per simulated container, exactly as `lambda/consumer/handler.ts`
 * does it: read the environment, create the logger and one MongoDB client, build the handler.
 * Disposing closes the client, as the end of an execution environment does.
 */
export const consumerContainerFactory =
  (options: ConsumerContainerOptions): ContainerFactory =>
  async (containerId) => {
    const config = loadConfig(options.environment);
    if (config.mongoUri.kind !== 'value') {
      throw new Error('the local runtime needs MONGO_URI (a Secrets Manager secret is AWS-only)');
    }
    // Lambda sets this for on-demand environments; Powertools reports `cold_start` only then. All
    // simulated containers share the process, so setting it once for all of them is faithful.
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE ??= 'on-demand';
    const logger = new LocalLogger({
      serviceName: 'order-consumer',
      logLevel: config.logLevel,
      sink: options.logSink,
    });
    const client = createMongoClient(config.mongoUri.uri, {
      maxPoolSize: config.mongoMaxPoolSize,
      appName: 'order-consumer',
      security: config.mongoSecurity,
    });
    const handler = createConsumerHandler(
      createConsumerDependencies({
        config,
        client,
        logger,
        metrics: new CountingMetrics(options.metrics),
        sendMessageBatch: options.sendMessageBatch,
      }),
    );
    return {
      handler: options.wrapHandler?.(handler, containerId) ?? handler,
      dispose: () => client.close(),
    };
  };
