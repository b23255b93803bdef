import { Logger } from '@aws-lambda-powertools/logger';
import type { MongoClient } from 'mongodb';
import { createConsumerDependencies } from '../../lambda/consumer/createConsumerDependencies.js';
import {
  type ConsumerHandler,
  createConsumerHandler,
} from '../../lambda/consumer/createConsumerHandler.js';
import { loadConfig } from '../../lambda/shared/config.js';

/** A log line the consumer wrote, parsed. */
export type LogLine = Record<string, unknown> & { level: string; message: string };

/** A logger that keeps its JSON lines in memory instead of printing them. */
export const createCapturingLogger = (): { logger: Logger; lines: LogLine[] } => {
  const lines: LogLine[] = [];
  const logger = new Logger({ serviceName: 'order-consumer-test', logLevel: 'DEBUG' });
  // Powertools prints each entry as one JSON line through its own console; keep them instead.
  const sink = (text: unknown) => lines.push(JSON.parse(String(text)) as LogLine);
  Object.assign(logger, {
    console: { debug: sink, info: sink, warn: sink, error: sink, trace: sink, log: sink },
  });
  return { logger, lines };
};

/**
 * One simulated consumer container on a test database: the real handler with real dependencies,
 * as `lambda/consumer/handler.ts` builds them, except that the logger is captured.
 */
export const createTestConsumer = (
  client: MongoClient,
  databaseName: string,
  uri = 'mongodb://127.0.0.1:27017',
): { handler: ConsumerHandler; lines: LogLine[] } => {
  const { logger, lines } = createCapturingLogger();
  const config = loadConfig({ MONGO_URI: uri, MONGO_DB_NAME: databaseName });
  const handler = createConsumerHandler(createConsumerDependencies(config, client, logger));
  return { handler, lines };
};
