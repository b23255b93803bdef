import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { MongoClient } from 'mongodb';
import { configDefaults } from '../lambda/shared/config.js';
import { generateOrder } from '../local/commands/generateOrderEvents.js';
import { sendMessageBatches } from '../local/commands/sendMessageBatches.js';
import type { EventSourceMappingStats } from '../local/runtime/EventSourceMappingEmulator.js';
import { silentLogSink } from '../local/runtime/logSinks.js';
import { startLocalRuntime } from '../local/runtime/startLocalRuntime.js';
import { median, sum } from './statistics.js';

/** What {@link measureEndToEnd} found. */
export interface EndToEndFigures {
  readonly orders: number;
  /** From the first send to SQS accepting the last message. */
  readonly sendSeconds: number;
  /** From the first send to MongoDB counting every order. */
  readonly storedSeconds: number;
  readonly ordersPerSecond: number;
  readonly pollers: number;
  readonly batchSize: number;
  readonly consumerTimeoutSeconds: number;
  readonly stats: EventSourceMappingStats;
  /** Mean records per invocation. */
  readonly recordsPerInvocation: number;
  /** Median duration of one invocation of the consumer. */
  readonly invocationP50Ms: number;
  /**
   * The share of the pollers' time spent inside the consumer: near 1, the consumer (and what it
   * waits for) is the bound; well below, receiving from and deleting in SQS are.
   */
  readonly timeInConsumer: number;
  /**
   * CPU time of this process (SQS, emulator, every container) over the run, in cores: near 1, one
   * Node event loop is the bound; well below, the process is mostly waiting for MongoDB.
   */
  readonly benchProcessCpu: number;
}

/** How long the orders may take to be stored before the run is called failed. */
const STORE_TIMEOUT_MS = 180_000;

/**
 * The whole local path: `orders` new orders sent to the embedded SQS (ten per SendMessageBatch,
 * as `npm run send` does), received by the event source mapping emulator's pollers, stored by
 * the real consumer. The local runtime runs in this process with `npm run dev`'s settings but
 * `pollers`, on free ports, against `mongoUri`. The database is dropped afterwards.
 */
export const measureEndToEnd = async (options: {
  readonly mongoUri: string;
  readonly databaseName: string;
  readonly orders: number;
  readonly pollers: number;
}): Promise<EndToEndFigures> => {
  const invocationsMs: number[] = [];
  const runtime = await startLocalRuntime({
    pollers: options.pollers,
    onInvocation: (report) => invocationsMs.push(report.durationMs),
    mongoUri: options.mongoUri,
    databaseName: options.databaseName,
    logLevel: 'ERROR',
    logSink: silentLogSink,
    log: () => undefined,
  });
  const client = new MongoClient(options.mongoUri);
  try {
    const orders = client.db(options.databaseName).collection(configDefaults.ORDERS_COLLECTION);
    const runId = randomBytes(3).toString('hex');
    const bodies = Array.from({ length: options.orders }, (_, i) =>
      JSON.stringify(generateOrder(`BENCH-${runId}-${i}`)),
    );
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const sent = await sendMessageBatches({ sqs: runtime.sqs, queueUrl: runtime.queueUrl, bodies });
    const sendSeconds = (performance.now() - started) / 1000;
    if (sent.failures.length > 0) throw new Error(`SQS refused ${sent.failures.length} messages`);
    // Once the queue is empty, every message was deleted, which the runtime does only for orders
    // the consumer reported stored; MongoDB's count (a full scan on FerretDB) is read once then.
    await runtime.waitUntilQuiet({ quietMs: 100, timeoutMs: STORE_TIMEOUT_MS });
    const stored = await orders.countDocuments();
    if (stored < options.orders) throw new Error(`${stored} of ${options.orders} orders stored`);
    const storedSeconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const stats = runtime.stats();
    return {
      orders: options.orders,
      sendSeconds,
      storedSeconds,
      ordersPerSecond: options.orders / storedSeconds,
      pollers: runtime.pollers,
      batchSize: runtime.settings.batchSize,
      consumerTimeoutSeconds: runtime.settings.consumerTimeoutSeconds,
      stats,
      recordsPerInvocation: stats.messagesReceived / Math.max(1, stats.invocations),
      invocationP50Ms: median(invocationsMs),
      timeInConsumer: sum(invocationsMs) / 1000 / (runtime.pollers * storedSeconds),
      benchProcessCpu: (cpu.user + cpu.system) / 1e6 / storedSeconds,
    };
  } finally {
    await runtime.stop();
    await client.db(options.databaseName).dropDatabase();
    await client.close();
  }
};
