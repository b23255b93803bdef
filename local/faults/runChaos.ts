import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { ORDER_METRICS } from '../../lambda/consumer/orderMetrics.js';
import { configDefaults } from '../../lambda/shared/config.js';
import { ORDER_CONTENT_PROJECTION } from '../../lambda/shared/orderDocument.js';
import { sendMessageBatches } from '../commands/sendMessageBatches.js';
import type { EventSourceMappingStats } from '../runtime/EventSourceMappingEmulator.js';
import { startEmbeddedMongo } from '../runtime/embeddedMongo.js';
import type { LogSink } from '../runtime/LocalLogger.js';
import { startLocalRuntime } from '../runtime/startLocalRuntime.js';
import {
  type ChaosVerdict,
  checkChaosInvariants,
  type StoredOrderContent,
} from './checkChaosInvariants.js';
import { FaultInjector, type FaultKind, type FaultWindow } from './FaultInjector.js';
import { FaultProxy } from './FaultProxy.js';
import {
  type ChaosMessageCounts,
  chaosMessageCounts,
  planChaosMessages,
} from './planChaosMessages.js';
import { readDeadLetterBodies } from './readDeadLetterBodies.js';
import { mongoUriTarget, routeMongoUriThrough } from './routeMongoUriThrough.js';
import { seededRandom } from './seededRandom.js';

/** What a chaos run is asked to do. */
export interface ChaosOptions {
  readonly orders: number;
  /** Share of the messages that are resends of earlier orders (0 to 1). */
  readonly duplicates: number;
  /** Share of the messages that can never be stored: broken bodies and conflicts (0 to 1). */
  readonly invalid: number;
  readonly faults: boolean;
  readonly seed: string;
  /** An existing MongoDB; without it an embedded one is started. */
  readonly mongoUri?: string;
  /** Messages per second at most; by default spread over {@link ChaosOptions.minSendSeconds} with faults, unbounded without. */
  readonly rate?: number;
  /** With faults, sending lasts at least this long, so the run meets several fault windows. */
  readonly minSendSeconds?: number;
  /** Give up waiting for the queues after this long. */
  readonly timeoutSeconds: number;
  /** Keep the run's database for inspection instead of dropping it. */
  readonly keepDatabase?: boolean;
  /** Also hands every consumer log line (JSON) here, to investigate a failed run. */
  readonly logSink?: LogSink;
  /** Progress lines. */
  readonly log: (line: string) => void;
}

/** The result of a run: the verdict and the figures around it. */
export interface ChaosReport {
  readonly verdict: ChaosVerdict;
  readonly counts: ChaosMessageCounts;
  readonly stats: EventSourceMappingStats;
  readonly faultsInjected: ReadonlyMap<FaultKind, number>;
  /** Failure reasons the consumer logged, with how often. */
  readonly failureReasons: ReadonlyMap<string, number>;
  /** Which MongoDB answered: embedded or external, and the server's own name and version. */
  readonly server: string;
  readonly databaseName: string;
  readonly wallMs: number;
}

const DEFAULT_MIN_SEND_SECONDS = 60;

/** Reads the failure reasons the consumer logged, for the report (the check reads no logs). */
const observingSink = (failureReasons: Map<string, number>, next?: LogSink): LogSink => {
  return (line, level) => {
    next?.(line, level);
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (typeof record.reason === 'string') {
      // The driver's error names the cause (closed topology, timeout, reset…); ids vary, cut them.
      const cause =
        typeof record.error === 'string'
          ? ` (${record.error
              .replace(/^Order \S+ (could not be stored: )?/, '')
              .replace(/\s*\(.*$/, '')
              .slice(0, 60)})`
          : '';
      const key = `${String(record.message)}: ${record.reason}${cause}`;
      failureReasons.set(key, (failureReasons.get(key) ?? 0) + 1);
    }
  };
};

const describeWindow = (window: FaultWindow): string => {
  const latency = window.latencyMs === undefined ? '' : ` +${window.latencyMs} ms`;
  const length = window.kind === 'reset' ? `×${window.repeats}` : `${window.durationMs} ms`;
  return `fault: ${window.kind}${latency} for ${length}`;
};

/**
 * One Jepsen-style run through the local runtime: records every message it sends, injects faults
 * between the consumer and MongoDB on a seeded schedule while the queue is being worked, waits
 * until the queues are quiet, then reads MongoDB and the DLQ and checks the invariants.
 */
export const runChaos = async (options: ChaosOptions): Promise<ChaosReport> => {
  const started = Date.now();
  const { log } = options;
  const counts = chaosMessageCounts(options.orders, options.duplicates, options.invalid);
  const random = seededRandom(options.seed);
  const runId = `chaos${String(options.seed).replace(/[^A-Za-z0-9]/g, '')}`;
  const messages = planChaosMessages(counts, runId, random);
  const databaseName = `chaos_${runId}_${Date.now().toString(36)}`.slice(0, 63);
  const cleanups: { name: string; run: () => Promise<unknown> }[] = [];
  const cleanUp = async () => {
    for (const { name, run } of cleanups.splice(0).reverse()) {
      const started = Date.now();
      await run().catch((error: unknown) => log(`stopping ${name} failed: ${String(error)}`));
      log(`stopped ${name} in ${Date.now() - started} ms`);
    }
  };

  try {
    let mongoUri = options.mongoUri;
    let mongoKind = 'external';
    if (mongoUri === undefined) {
      log('Starting an embedded MongoDB (MONGO_URI is not set)…');
      const embedded = await startEmbeddedMongo(log);
      cleanups.push({ name: 'embedded MongoDB', run: () => embedded.stop() });
      mongoUri = embedded.uri;
      mongoKind = embedded.kind;
    }
    let consumerUri = mongoUri;
    let proxy: FaultProxy | undefined;
    if (options.faults) {
      const target = mongoUriTarget(mongoUri);
      proxy = await FaultProxy.start({ targetHost: target.host, targetPort: target.port });
      const started = proxy;
      cleanups.push({ name: 'fault proxy', run: () => started.stop() });
      consumerUri = routeMongoUriThrough(mongoUri, proxy);
    }

    const failureReasons = new Map<string, number>();
    const runtime = await startLocalRuntime({
      mongoUri: consumerUri,
      databaseName,
      logLevel: 'INFO',
      logSink: observingSink(failureReasons, options.logSink),
      log,
    });
    cleanups.push({ name: 'local runtime', run: () => runtime.stop() });
    const checker = new MongoClient(mongoUri, { serverSelectionTimeoutMS: 5_000 });
    cleanups.push({ name: 'checking client', run: () => checker.close() });
    const db = checker.db(databaseName);
    if (!options.keepDatabase)
      cleanups.push({ name: 'run database', run: () => db.dropDatabase() });
    log(
      `Run ${runId}: ${counts.total} messages (${counts.unique} orders, ${counts.duplicates} resends, ${counts.invalid} invalid, ${counts.conflicts} conflicts), faults ${options.faults ? 'on' : 'off'}, database ${databaseName}`,
    );

    const injector =
      proxy === undefined
        ? undefined
        : new FaultInjector(proxy, random, {
            visibilityTimeoutMs: runtime.settings.visibilityTimeoutSeconds * 1000,
            functionTimeoutMs: runtime.settings.consumerTimeoutSeconds * 1000,
            onWindow: (window) => log(describeWindow(window)),
          });
    const rate =
      options.rate ??
      (options.faults
        ? counts.total / (options.minSendSeconds ?? DEFAULT_MIN_SEND_SECONDS)
        : undefined);
    const deadline = started + options.timeoutSeconds * 1000;
    if (injector !== undefined) {
      injector.start();
      // Stopped on every way out, a failed run included: its timers would keep the process alive.
      cleanups.push({ name: 'fault injector', run: () => injector.stop() });
    }
    const sent = await sendMessageBatches({
      sqs: runtime.sqs,
      queueUrl: runtime.queueUrl,
      bodies: messages.map((message) => message.body),
      ...(rate === undefined ? {} : { rate }),
    });
    if (sent.failures.length > 0) {
      throw new Error(`SQS refused ${sent.failures.length} messages; the run is not comparable`);
    }
    log(`Sent ${sent.sent} messages in ${((Date.now() - started) / 1000).toFixed(1)} s; working…`);

    // Faults go on while there is work; then calm, and the queue must become quiet by itself.
    let lastProgress = 0;
    for (;;) {
      const { queue, deadLetterQueue } = await runtime.queueDepth();
      const backlog = queue.visible + queue.inFlight + queue.delayed;
      if (backlog === 0) break;
      if (Date.now() > deadline)
        throw new Error(`the queue still held ${backlog} messages at the timeout`);
      if (Date.now() - lastProgress > 10_000) {
        lastProgress = Date.now();
        log(
          `  queue ${backlog} (in flight ${queue.inFlight}), DLQ ${deadLetterQueue.visible}, invocations ${runtime.stats().invocations}`,
        );
      }
      await sleep(250);
    }
    await injector?.stop();
    await runtime.waitUntilQuiet({
      quietMs: 2_000,
      timeoutMs: Math.max(1_000, deadline - Date.now()),
    });
    let deadLetters = -1;
    for (;;) {
      const depth = (await runtime.queueDepth()).deadLetterQueue.visible;
      if (depth === deadLetters) break;
      deadLetters = depth;
      await sleep(1_000);
    }

    const stats = runtime.stats();
    const buildInfo = await checker.db('admin').command({ buildInfo: 1 });
    const server =
      typeof buildInfo.ferretdbVersion === 'string'
        ? `FerretDB ${buildInfo.ferretdbVersion}`
        : `MongoDB ${String(buildInfo.version)}`;
    const { queue } = await runtime.queueDepth();
    const deadLetterBodies = await readDeadLetterBodies(runtime.sqs, runtime.deadLetterQueueUrl);
    const stored = await db
      .collection<StoredOrderContent>(configDefaults.ORDERS_COLLECTION)
      .find({}, { projection: ORDER_CONTENT_PROJECTION })
      .toArray();
    const unfinishedClaims = await db
      .collection(configDefaults.IDEMPOTENCY_COLLECTION)
      .countDocuments({ status: 'INPROGRESS' });
    const metrics = runtime.orderMetrics();
    const verdict = checkChaosInvariants({
      messages,
      stored,
      unfinishedClaims,
      deadLetterBodies,
      leftOnQueue: queue.visible + queue.inFlight + queue.delayed,
      createdWrites: [ORDER_METRICS.stored, ORDER_METRICS.restored].reduce(
        (sum, name) => sum + (metrics.get(name) ?? 0),
        0,
      ),
      internalErrors: metrics.get(ORDER_METRICS.internalErrors) ?? 0,
    });
    return {
      verdict,
      counts,
      stats,
      faultsInjected: injector?.injected() ?? new Map(),
      failureReasons,
      server: `${server} (${mongoKind})`,
      databaseName,
      wallMs: Date.now() - started,
    };
  } finally {
    await cleanUp();
  }
};
