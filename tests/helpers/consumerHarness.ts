import { Logger } from '@aws-lambda-powertools/logger';
import type { SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { MongoClient } from 'mongodb';
import { createConsumerDependencies } from '../../lambda/consumer/createConsumerDependencies.js';
import {
  type ConsumerDependencies,
  type ConsumerHandler,
  createConsumerHandler,
} from '../../lambda/consumer/createConsumerHandler.js';
import {
  DEAD_LETTER_ATTRIBUTES,
  type SendMessageBatch,
} from '../../lambda/consumer/DeadLetterQueue.js';
import { loadConfig } from '../../lambda/shared/config.js';
import { CountingMetrics } from '../../local/runtime/CountingMetrics.js';

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

/** Options of {@link testConsumerDependencies} and {@link createTestConsumer}. */
export interface TestConsumerOptions {
  /** The consumer's environment beyond MONGO_URI and MONGO_DB_NAME. */
  readonly environment?: Readonly<Record<string, string>>;
  /** Sends dead letters (with DLQ_URL in `environment`); without it, `redrive`. */
  readonly sendMessageBatch?: SendMessageBatch;
  readonly logger?: Logger;
}

/**
 * The consumer's dependencies on a test database, built as `lambda/consumer/handler.ts` builds
 * them, with the metrics counted in memory. Poison messages take the queue's redrive unless the
 * test gives a way to send dead letters.
 */
export const testConsumerDependencies = (
  client: MongoClient,
  databaseName: string,
  options: TestConsumerOptions & { readonly logger: Logger },
): { deps: ConsumerDependencies; metrics: Map<string, number> } => {
  const metrics = new CountingMetrics();
  const config = loadConfig({
    MONGO_URI: 'mongodb://127.0.0.1:27017',
    MONGO_DB_NAME: databaseName,
    POISON_MESSAGES: options.sendMessageBatch === undefined ? 'redrive' : 'dead-letter-now',
    ...options.environment,
  });
  const sendMessageBatch: SendMessageBatch =
    options.sendMessageBatch ??
    (() => Promise.reject(new Error('this test consumer sends no dead letters')));
  const deps = createConsumerDependencies({
    config,
    client,
    logger: options.logger,
    metrics,
    sendMessageBatch,
  });
  return { deps, metrics: metrics.counts };
};

/**
 * One simulated consumer container on a test database: the real handler with real dependencies,
 * except that the logger and the metrics are captured.
 */
export const createTestConsumer = (
  client: MongoClient,
  databaseName: string,
  options: TestConsumerOptions = {},
): { handler: ConsumerHandler; lines: LogLine[]; metrics: Map<string, number> } => {
  const { logger, lines } = createCapturingLogger();
  const { deps, metrics } = testConsumerDependencies(client, databaseName, {
    ...options,
    logger: options.logger ?? logger,
  });
  return { handler: createConsumerHandler(deps), lines, metrics };
};

/** A dead-letter queue URL for consumers whose sends {@link keptDeadLetters} catches. */
export const TEST_DEAD_LETTER_QUEUE_URL =
  'https://sqs.us-east-1.amazonaws.com/123456789012/order-queue-dlq';

/** A `SendMessageBatch` that takes every entry and keeps it, for the test to read. */
export const keptDeadLetters = (): {
  readonly send: SendMessageBatch;
  readonly entries: SendMessageBatchRequestEntry[];
  /** The original message ids of the dead letters, in the order they were sent. */
  readonly originalIds: () => (string | undefined)[];
} => {
  const entries: SendMessageBatchRequestEntry[] = [];
  const send: SendMessageBatch = async ({ Entries = [] }) => {
    entries.push(...Entries);
    return {
      Successful: Entries.map(({ Id }) => ({ Id, MessageId: `dlq-${Id}`, MD5OfMessageBody: '' })),
      Failed: [],
    };
  };
  const originalIds = () =>
    entries.map(
      (entry) => entry.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.messageId]?.StringValue,
    );
  return { send, entries, originalIds };
};
