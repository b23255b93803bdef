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
import { CountingMetrics } from '../local/CountingMetrics.js';
import {
  lambdaContextFactory,
  orderEventFactory,
  sqsEventFactory,
  sqsRecordFactory,
} from '../tests/helpers/factories.js';
import { median, percentile, sum } from './statistics.js';

/** Which orders a series sends, and how the handler runs a batch's records. */
export interface SeriesKind {
  readonly batchSize: number;
  readonly orders: 'new' | 'duplicate';
  readonly mode: 'parallel' | 'sequential';
}

/** Batches of one kind, sent one after another to one warm container. */
export interface BatchSeries extends SeriesKind {
  readonly durationsMs: readonly number[];
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly ordersPerSecond: number;
  /** MongoDB commands the driver started during these batches, by command name. */
  readonly commands: Readonly<Record<string, number>>;
}

/** MongoDB commands per order, in total and by command name. */
export interface CommandsPerOrder {
  readonly total: number;
  readonly byName: Readonly<Record<string, number>>;
}

/** What {@link measureHandler} found. */
export interface HandlerFigures {
  readonly series: readonly BatchSeries[];
  readonly commandsPerNewOrder: CommandsPerOrder;
  readonly commandsPerDuplicate: CommandsPerOrder;
}

/**
 * The series, each in a database of its own with the same number of orders: on FerretDB a find or
 * update by `_id` takes longer as the collection grows, so series sharing one database, or of
 * different lengths, would not compare like with like.
 */
const PLAN: readonly (Omit<SeriesKind, 'orders'> & { readonly duplicates: boolean })[] = [
  { batchSize: 1, mode: 'parallel', duplicates: true },
  { batchSize: 10, mode: 'parallel', duplicates: true },
  { batchSize: 100, mode: 'parallel', duplicates: true },
  { batchSize: 10, mode: 'sequential', duplicates: false },
  { batchSize: 100, mode: 'sequential', duplicates: false },
];
const ORDERS_PER_SERIES = 500;

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

const perOrder = (series: readonly BatchSeries[]): CommandsPerOrder => {
  const orders = sum(series.map((s) => s.batchSize * s.durationsMs.length));
  const byName: Record<string, number> = {};
  for (const s of series) {
    for (const [name, count] of Object.entries(s.commands)) {
      byName[name] = (byName[name] ?? 0) + count / orders;
    }
  }
  return { total: sum(Object.values(byName)), byName };
};

/**
 * The consumer handler in this process (source modules, not the bundle) against a real MongoDB:
 * one warm container, built as `lambda/consumer/handler.ts` builds it but with command monitoring
 * on. Each series sends new orders, then (where planned) the same records again, every record a
 * duplicate delivery. Databases are named `<databasePrefix>_<n>` and dropped afterwards.
 */
export const measureHandler = async (options: {
  readonly mongoUri: string;
  readonly databasePrefix: string;
}): Promise<HandlerFigures> => {
  const client = createMongoClient(options.mongoUri, {
    maxPoolSize: loadConfig({ MONGO_URI: options.mongoUri, POISON_MESSAGES: 'redrive' })
      .mongoMaxPoolSize,
    appName: 'order-consumer-bench',
  });
  // The production client's options, plus command events (the driver leaves this one writable).
  client.options.monitorCommands = true;
  const counted = commandCounter(client);

  const containerOn = (databaseName: string, mode: SeriesKind['mode']): ConsumerHandler => {
    const config = loadConfig({
      MONGO_URI: options.mongoUri,
      MONGO_DB_NAME: databaseName,
      LOG_LEVEL: 'ERROR',
      POISON_MESSAGES: 'redrive',
    });
    const logger = createLogger('order-consumer', config.logLevel);
    return createConsumerHandler({
      ...createConsumerDependencies({
        config,
        client,
        logger,
        metrics: new CountingMetrics(),
        sendMessageBatch: () => Promise.reject(new Error('the bench sends no dead letters')),
      }),
      processInParallel: mode === 'parallel',
    });
  };

  const run = async (
    handler: ConsumerHandler,
    kind: SeriesKind,
    events: readonly SQSEvent[],
  ): Promise<BatchSeries> => {
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
          `${result.batchItemFailures.length} records failed in a ${kind.orders}-order batch of ${kind.batchSize}`,
        );
      }
      for (const [name, count] of batchCommands) commands[name] = (commands[name] ?? 0) + count;
    }
    return {
      ...kind,
      durationsMs,
      p50Ms: median(durationsMs),
      p99Ms: percentile(durationsMs, 99),
      ordersPerSecond: (kind.batchSize * events.length) / (sum(durationsMs) / 1000),
      commands,
    };
  };

  const series: BatchSeries[] = [];
  try {
    for (const [index, { batchSize, mode, duplicates }] of PLAN.entries()) {
      const db = client.db(`${options.databasePrefix}_${index}`);
      try {
        const handler = containerOn(db.databaseName, mode);
        // Connecting, and the persistence layer's one-off index creation, are not measured.
        await run(handler, { batchSize: 10, orders: 'new', mode }, newOrderBatches(10, 1));
        const events = newOrderBatches(batchSize, ORDERS_PER_SERIES / batchSize);
        series.push(await run(handler, { batchSize, orders: 'new', mode }, events));
        if (duplicates) {
          series.push(await run(handler, { batchSize, orders: 'duplicate', mode }, events));
        }
      } finally {
        await db.dropDatabase();
      }
    }
  } finally {
    await client.close();
  }
  return {
    series,
    commandsPerNewOrder: perOrder(series.filter((s) => s.orders === 'new')),
    commandsPerDuplicate: perOrder(series.filter((s) => s.orders === 'duplicate')),
  };
};
