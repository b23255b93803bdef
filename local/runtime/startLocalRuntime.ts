import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import type { ConsumerHandler } from '../../lambda/consumer/createConsumerHandler.js';
import { createHealthHandler } from '../../lambda/health/createHealthHandler.js';
import { createHealthMongoClient } from '../../lambda/health/createHealthMongoClient.js';
import { createHealthSqsClient } from '../../lambda/health/createHealthSqsClient.js';
import { configDefaults, type LogLevel, loadConfig } from '../../lambda/shared/config.js';
import { mongoSecurityOptions } from '../../lambda/shared/mongoSecurityOptions.js';
import { defaultDeploymentSettings } from '../../settings/serviceSettings.js';
import { mongoHostOf } from '../cli/mongoHostOf.js';
import { consumerContainerFactory } from './consumerContainerFactory.js';
import { createOrderQueues } from './createOrderQueues.js';
import {
  EventSourceMappingEmulator,
  type EventSourceMappingStats,
  type InvocationReport,
} from './EventSourceMappingEmulator.js';
import { startEmbeddedMongo, waitForMongo } from './embeddedMongo.js';
import { LocalLogger, type LogSink } from './LocalLogger.js';
import {
  type LocalSettings,
  type LocalSettingsOverrides,
  resolveLocalSettings,
} from './localSettings.js';
import { defaultLogSink } from './logSinks.js';
import { type QueueDepth, queueDepthOf } from './queueDepth.js';
import { startFunctionUrlServer } from './startFunctionUrlServer.js';

export type { QueueDepth } from './queueDepth.js';

/** Options of {@link startLocalRuntime}; every one has a default. */
export interface LocalRuntimeOptions {
  /** Port of the embedded SQS endpoint; 0 (the default) picks a free one. */
  readonly sqsPort?: number;
  /** Port of the health Function URL; 0 (the default) picks a free one. */
  readonly healthPort?: number;
  /** An existing MongoDB; without it an embedded one is started (and stopped with the runtime). */
  readonly mongoUri?: string;
  /** Default `MONGO_DB_NAME`'s default, `order_db`. */
  readonly databaseName?: string;
  /** Changes to the shared settings (`settings/serviceSettings.ts`), plus the queue's visibility timeout. */
  readonly settings?: LocalSettingsOverrides;
  /** Concurrent pollers, each with its own container; default `settings.maxConcurrency`. */
  readonly pollers?: number;
  /** Region of the queues and of the records' `awsRegion`; default `us-east-1`. */
  readonly region?: string;
  /** Level of the consumer's, the health check's and the runtime's logs; default INFO. */
  readonly logLevel?: LogLevel;
  /** Where log lines go; default readable on a terminal, JSON otherwise, on stdout. */
  readonly logSink?: LogSink;
  /** Progress messages while starting (embedded MongoDB…); default stderr. */
  readonly log?: (line: string) => void;
  /** More variables for the consumer's environment (e.g. IDEMPOTENCY_EXPIRY_SECONDS). */
  readonly environment?: Readonly<Record<string, string>>;
  /** Wraps each container's consumer handler, e.g. to inject faults. */
  readonly wrapHandler?: (handler: ConsumerHandler, containerId: string) => ConsumerHandler;
  /** Called after each invocation of the consumer. */
  readonly onInvocation?: (report: InvocationReport) => void;
}

/** A running local service. */
export interface LocalRuntime {
  /** The SQS endpoint, e.g. `http://127.0.0.1:4566`; give it to SQS clients as `endpoint`. */
  readonly sqsEndpoint: string;
  readonly region: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly deadLetterQueueUrl: string;
  readonly deadLetterQueueArn: string;
  readonly healthUrl: string;
  readonly mongoUri: string;
  /** Which MongoDB: the one given, or the embedded kind that was started. */
  readonly mongoKind: 'external' | 'mongodb-memory-server' | 'ferretdb';
  readonly databaseName: string;
  readonly settings: LocalSettings;
  readonly pollers: number;
  /** An SQS client on the endpoint, for callers that send or inspect. */
  readonly sqs: SQSClient;
  /** The event source mapping's counters. */
  stats(): EventSourceMappingStats;
  /** The consumer's metrics so far (`OrdersStored`, `OrdersRejected`…), all containers together. */
  orderMetrics(): ReadonlyMap<string, number>;
  /** Current depth of the main queue and the DLQ. */
  queueDepth(): Promise<{ queue: QueueDepth; deadLetterQueue: QueueDepth }>;
  /**
   * Resolves once the main queue has held nothing (visible, in flight or delayed) for `quietMs`;
   * rejects after `timeoutMs`.
   */
  waitUntilQuiet(options?: { quietMs?: number; timeoutMs?: number }): Promise<void>;
  /** Stops polling (in-flight invocations finish), the health server, SQS and embedded MongoDB. */
  stop(): Promise<void>;
}

const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

const startSqs = async (port: number): Promise<FauxqsServer> => {
  try {
    return await startFauxqs({ port, logger: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(
        `Port ${port} is already in use (LocalStack, or another \`npm run dev\`?). Stop it, or choose another port with SQS_PORT.`,
      );
    }
    throw error;
  }
};

/**
 * Runs the service on one machine without Docker: an embedded SQS endpoint (fauxqs) with the queue
 * and its DLQ as the stack configures them, the real consumer behind an
 * {@link EventSourceMappingEmulator}, the real health handler behind a Function-URL-shaped HTTP
 * server, and MongoDB (given, or embedded). Startup failures undo what had started.
 */
export const startLocalRuntime = async (
  options: LocalRuntimeOptions = {},
): Promise<LocalRuntime> => {
  const settings = resolveLocalSettings(options.settings);
  const pollers = options.pollers ?? settings.maxConcurrency;
  const region = options.region ?? 'us-east-1';
  const logLevel = options.logLevel ?? 'INFO';
  const logSink = options.logSink ?? defaultLogSink(process.stdout);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const databaseName = options.databaseName ?? configDefaults.MONGO_DB_NAME;
  const runtimeLogger = new LocalLogger({ serviceName: 'local-runtime', logLevel, sink: logSink });
  // The consumer's environment, as the stack sets it; checked before anything starts so a bad
  // value (MONGO_URI, MONGO_DB_NAME…) fails with one line instead of every cold start.
  const consumerEnvironmentFor = (mongoUri: string, deadLetterQueueUrl: string) => ({
    ...options.environment,
    MONGO_URI: mongoUri,
    POISON_MESSAGES: settings.poisonMessages,
    DLQ_URL: deadLetterQueueUrl,
    MONGO_URI_SECRET_ID: undefined,
    MONGO_DB_NAME: databaseName,
    MONGO_MAX_POOL_SIZE: String(settings.mongoMaxPoolSize),
    IDEMPOTENCY_EXPIRY_SECONDS:
      options.environment?.IDEMPOTENCY_EXPIRY_SECONDS ?? String(settings.idempotencyExpirySeconds),
    LOG_LEVEL: logLevel,
  });
  const { mongoSecurity } = loadConfig(
    consumerEnvironmentFor(
      options.mongoUri ?? 'mongodb://127.0.0.1:27017',
      'http://127.0.0.1/queue/created-below',
    ),
  );
  const cleanups: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) =>
        runtimeLogger.warn('stopping a local component failed', { error: String(error) }),
      );
    }
  };

  try {
    let mongoUri: string;
    let mongoKind: LocalRuntime['mongoKind'];
    if (options.mongoUri !== undefined) {
      const security = mongoSecurityOptions(mongoSecurity);
      if (!(await waitForMongo(options.mongoUri, 5_000, security))) {
        const as = Object.keys(security).length > 0 ? ' with MONGO_TLS_CA_FILE / MONGO_AUTH' : '';
        throw new Error(
          `No MongoDB answers at ${mongoHostOf(options.mongoUri)} (MONGO_URI${as}). Start it, or unset MONGO_URI to use an embedded server.`,
        );
      }
      mongoUri = options.mongoUri;
      mongoKind = 'external';
    } else {
      log('Starting an embedded MongoDB (MONGO_URI is not set)…');
      const embedded = await startEmbeddedMongo(log);
      cleanups.push(() => embedded.stop());
      mongoUri = embedded.uri;
      mongoKind = embedded.kind;
    }

    const fauxqs = await startSqs(options.sqsPort ?? 0);
    cleanups.push(() => fauxqs.stop());
    const sqsEndpoint = `http://127.0.0.1:${fauxqs.port}`;
    const sqs = new SQSClient({ endpoint: sqsEndpoint, region, credentials: TEST_CREDENTIALS });
    cleanups.push(async () => sqs.destroy());
    const queues = await createOrderQueues(sqs, settings);
    const consumerEnvironment = consumerEnvironmentFor(mongoUri, queues.deadLetterQueueUrl);
    const orderMetrics = new Map<string, number>();

    const healthTimeouts = defaultDeploymentSettings;
    const healthSqs = createHealthSqsClient(healthTimeouts.healthCheckTimeoutMs, {
      endpoint: sqsEndpoint,
      region,
      credentials: TEST_CREDENTIALS,
    });
    const healthMongo = createHealthMongoClient(
      mongoUri,
      healthTimeouts.healthCheckTimeoutMs,
      mongoSecurity,
    );
    cleanups.push(async () => {
      healthSqs.destroy();
      await healthMongo.close();
    });
    const health = await startFunctionUrlServer({
      port: options.healthPort ?? 0,
      timeoutMs: healthTimeouts.healthTimeoutSeconds * 1000,
      logger: runtimeLogger,
      handler: createHealthHandler({
        sqs: healthSqs,
        mongo: healthMongo,
        queueUrl: queues.queueUrl,
        deadLetterQueueUrl: queues.deadLetterQueueUrl,
        databaseName,
        logger: new LocalLogger({ serviceName: 'order-health', logLevel, sink: logSink }),
        checkTimeoutMs: healthTimeouts.healthCheckTimeoutMs,
      }),
    }).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new Error(
          `Port ${options.healthPort} is already in use. Stop what uses it, or choose another port with HEALTH_PORT.`,
        );
      }
      throw error;
    });
    cleanups.push(() => health.close());

    const emulator = new EventSourceMappingEmulator({
      sqs,
      queueUrl: queues.queueUrl,
      queueArn: queues.queueArn,
      region,
      batchSize: settings.batchSize,
      maxBatchingWindowSeconds: settings.maxBatchingWindowSeconds,
      functionTimeoutMs: settings.consumerTimeoutSeconds * 1000,
      pollers,
      logger: runtimeLogger,
      ...(options.onInvocation === undefined ? {} : { onInvocation: options.onInvocation }),
      createContainer: consumerContainerFactory({
        environment: consumerEnvironment,
        logSink,
        metrics: orderMetrics,
        sendMessageBatch: (input, sendOptions) =>
          sqs.send(new SendMessageBatchCommand(input), sendOptions),
        ...(options.wrapHandler === undefined ? {} : { wrapHandler: options.wrapHandler }),
      }),
    });
    await emulator.start();
    cleanups.push(() => emulator.stop());

    const queueDepth = async () => ({
      queue: await queueDepthOf(sqs, queues.queueUrl),
      deadLetterQueue: await queueDepthOf(sqs, queues.deadLetterQueueUrl),
    });

    return {
      sqsEndpoint,
      region,
      ...queues,
      healthUrl: health.url,
      mongoUri,
      mongoKind,
      databaseName,
      settings,
      pollers,
      sqs,
      stats: () => emulator.stats(),
      orderMetrics: () => new Map(orderMetrics),
      queueDepth,
      waitUntilQuiet: async ({ quietMs = 1_000, timeoutMs = 60_000 } = {}) => {
        const deadline = Date.now() + timeoutMs;
        let quietSince: number | undefined;
        while (Date.now() < deadline) {
          const { visible, inFlight, delayed } = await queueDepthOf(sqs, queues.queueUrl);
          if (visible + inFlight + delayed === 0) {
            quietSince ??= Date.now();
            if (Date.now() - quietSince >= quietMs) return;
          } else {
            quietSince = undefined;
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        throw new Error(`the order queue was not quiet within ${timeoutMs} ms`);
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
};
