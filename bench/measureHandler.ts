import { performance } from 'node:perf_hooks';
import type { SQSEvent } from 'aws-lambda';
import type { MongoClient } from 'mongodb';
import { createConsumerDependencies } from '../lambda/consumer/createConsumerDependencies.js';
import {
  type ConsumerHandler,
  createConsumerHandler,
} from '../lambda/consumer/createConsumerHandler.js';
import { loadConfig } from '../lambda/shared/config.js';
import { createLogger } from '../lambda/shared/logger.js';
import { createMongoClient } from '../lambda/shared/mongoClient.js';
import { FaultProxy } from '../local/faults/FaultProxy.js';
import { mongoUriTarget, routeMongoUriThrough } from '../local/faults/routeMongoUriThrough.js';
import { CountingMetrics } from '../local/runtime/CountingMetrics.js';
import {
  lambdaContextFactory,
  orderEventFactory,
  sqsEventFactory,
  sqsRecordFactory,
} from '../tests/helpers/factories.js';
import { median, percentile } from './statistics.js';

/** Which orders a series sends, in batches of which size, on a pool of how many connections. */
export interface SeriesKind {
  readonly batchSize: number;
  readonly orders: 'new' | 'duplicate';
  readonly poolSize: number;
}

/** Batches of one kind, sent one after another to one warm container. */
export interface BatchSeries extends SeriesKind {
  readonly durationsMs: readonly number[];
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** MongoDB commands the driver started per batch (the mean), by command name. */
  readonly commandsPerBatch: Readonly<Record<string, number>>;
}

/** What {@link measureHandler} found. */
export interface HandlerFigures {
  /** Latency the proxy added to every chunk, each way. */
  readonly addedLatencyMs: number;
  readonly series: readonly BatchSeries[];
}

/** Each way: a 20 ms round trip, like a hop between availability zones. */
const ADDED_LATENCY_MS = 10;
/** Batches per series, by batch size: enough for a p50, few enough for a run of about a minute. */
const BATCHES: Readonly<Record<number, number>> = { 1: 60, 10: 30, 100: 8 };

/** Counts the commands `client` starts while `work` runs. Needs `monitorCommands`. */
const commandCounter = (client: MongoClient) => {
  let counting: Map<string, number> | undefined;
  client.on('commandStarted', ({ commandName }) => {
    counting?.set(commandName, (counting.get(commandName) ?? 0) + 1);
  });
  return async <T>(
    work: () => Promise<T>,
  ): Promise<{ result: T; commands: Map<string, number> }> => {
    const commands = new Map<string, number>();
    counting = commands;
    try {
      return { result: await work(), commands };
    } finally {
      counting = undefined;
    }
  };
};

const newOrderBatches = (batchSize: number, batches: number): SQSEvent[] =>
  Array.from({ length: batches }, () =>
    sqsEventFactory(Array.from({ length: batchSize }, () => sqsRecordFactory(orderEventFactory()))),
  );

/**
 * The consumer handler in this process (source modules, not the bundle), one warm container built
 * as `lambda/consumer/handler.ts` builds it, talking to MongoDB through a proxy that adds
 * {@link ADDED_LATENCY_MS} each way. For each pool size and batch size: new orders, then the same
 * records again (every record a duplicate delivery). Each series has a database of its own
 * (`<databasePrefix>_<n>`, dropped afterwards): on FerretDB a write costs more as a collection
 * grows, so series sharing one would not compare like with like.
 */
export const measureHandler = async (options: {
  readonly mongoUri: string;
  readonly databasePrefix: string;
}): Promise<HandlerFigures> => {
  const target = mongoUriTarget(options.mongoUri);
  const proxy = await FaultProxy.start({ targetHost: target.host, targetPort: target.port });
  await proxy.setMode({ kind: 'latency', ms: ADDED_LATENCY_MS });
  const uri = routeMongoUriThrough(options.mongoUri, proxy);
  const defaultPool = loadConfig({ MONGO_URI: uri, POISON_MESSAGES: 'redrive' }).mongoMaxPoolSize;
  const series: BatchSeries[] = [];
  let databases = 0;
  try {
    for (const poolSize of [defaultPool, 1]) {
      const client = createMongoClient(uri, { maxPoolSize: poolSize, appName: 'order-bench' });
      // The production client's options, plus command events (the driver leaves this one writable).
      client.options.monitorCommands = true;
      const counted = commandCounter(client);
      const run = async (
        handler: ConsumerHandler,
        kind: SeriesKind,
        events: readonly SQSEvent[],
      ) => {
        const durationsMs: number[] = [];
        const commands: Record<string, number> = {};
        for (const event of events) {
          const started = performance.now();
          const { result, commands: batchCommands } = await counted(() =>
            handler(event, lambdaContextFactory()),
          );
          durationsMs.push(performance.now() - started);
          // A failed record would measure an error path, not the one the figures describe.
          if (result.batchItemFailures.length > 0) {
            throw new Error(
              `${result.batchItemFailures.length} records failed: ${JSON.stringify(kind)}`,
            );
          }
          for (const [name, count] of batchCommands) {
            commands[name] = (commands[name] ?? 0) + count / events.length;
          }
        }
        series.push({
          ...kind,
          durationsMs,
          p50Ms: median(durationsMs),
          p99Ms: percentile(durationsMs, 99),
          commandsPerBatch: commands,
        });
      };
      try {
        for (const batchSize of [1, 10, 100]) {
          const databaseName = `${options.databasePrefix}_${databases++}`;
          const config = loadConfig({
            MONGO_URI: uri,
            MONGO_DB_NAME: databaseName,
            LOG_LEVEL: 'ERROR',
            POISON_MESSAGES: 'redrive',
          });
          const handler = createConsumerHandler(
            createConsumerDependencies({
              config,
              client,
              logger: createLogger('order-consumer', config.logLevel),
              metrics: new CountingMetrics(),
              sendMessageBatch: () => Promise.reject(new Error('the bench sends no dead letters')),
            }),
          );
          try {
            // Connecting, and the store's one-off index creation, are not measured.
            await handler(newOrderBatches(1, 1)[0] as SQSEvent, lambdaContextFactory());
            const events = newOrderBatches(batchSize, BATCHES[batchSize] ?? 10);
            await run(handler, { batchSize, orders: 'new', poolSize }, events);
            await run(handler, { batchSize, orders: 'duplicate', poolSize }, events);
          } finally {
            await client.db(databaseName).dropDatabase();
          }
        }
      } finally {
        await client.close();
      }
    }
  } finally {
    await proxy.stop();
  }
  return { addedLatencyMs: ADDED_LATENCY_MS, series };
};
