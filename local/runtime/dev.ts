import { defaultSettings, visibilityTimeoutSeconds } from '../../settings/serviceSettings.js';
import { UsageError } from '../cli/errors.js';
import { mongoHostOf } from '../cli/mongoHostOf.js';
import { runCli } from '../cli/runCli.js';
import { devEndpointsPath, removeDevEndpoints, writeDevEndpoints } from './devEndpointsFile.js';
import { devOptionsFromEnvironment, devVariables } from './devOptionsFromEnvironment.js';
import type { EventSourceMappingStats } from './EventSourceMappingEmulator.js';
import { LocalLogger } from './LocalLogger.js';
import { defaultLogSink, jsonLogSink, readableLogSink } from './logSinks.js';
import { type LocalRuntime, startLocalRuntime } from './startLocalRuntime.js';

const USAGE = `Usage: npm run dev

Runs the order service locally: embedded SQS (fauxqs), the consumer behind an event source
mapping emulator, the health Function URL, MongoDB from MONGO_URI or embedded.

Variables (default):
${Object.entries(devVariables)
  .map(([name, value]) => `  ${name.padEnd(27)} ${value}`)
  .join('\n')}`;

const banner = (runtime: LocalRuntime): string => {
  const s = runtime.settings;
  const awsVisibility = visibilityTimeoutSeconds(defaultSettings);
  const mongo =
    runtime.mongoKind === 'external'
      ? `${mongoHostOf(runtime.mongoUri)} (MONGO_URI)`
      : `${mongoHostOf(runtime.mongoUri)} (embedded ${runtime.mongoKind}, data discarded on exit)`;
  return [
    'Order service running locally. Ctrl-C stops it.',
    `  SQS endpoint   ${runtime.sqsEndpoint}  (region ${runtime.region}, any credentials; fauxqs listens on every interface)`,
    `  queue          ${runtime.queueUrl}`,
    `  DLQ            ${runtime.deadLetterQueueUrl}`,
    `  health         ${runtime.healthUrl}`,
    `  MongoDB        ${mongo}, database ${runtime.databaseName}`,
    `  mapping        batch size ${s.batchSize}, window ${s.maxBatchingWindowSeconds} s, ${runtime.pollers} pollers (one container each), MongoDB pool ${s.mongoMaxPoolSize} per container`,
    `  timeouts       consumer ${s.consumerTimeoutSeconds} s, visibility ${s.visibilityTimeoutSeconds} s (AWS ${awsVisibility} s), maxReceiveCount ${s.maxReceiveCount}`,
    `  poison         ${
      s.poisonMessages === 'dead-letter-now'
        ? 'dead-letter-now: an invalid or conflicting order is in the DLQ, with its reason, on its first receive'
        : `redrive: an invalid or conflicting order reaches the DLQ after about ${s.maxReceiveCount * s.visibilityTimeoutSeconds} s`
    }`,
    '  next           npm run send -- --count 100   |   npm run dlq -- list   |   curl ' +
      runtime.healthUrl,
    '',
  ].join('\n');
};

const statsLine = (stats: EventSourceMappingStats): Record<string, number> => ({
  invocations: stats.invocations,
  recordsDeleted: stats.recordsDeleted,
  recordsReportedFailed: stats.recordsReportedFailed,
  failedBatches: stats.failedBatches,
  timeouts: stats.timeouts,
  redeliveries: stats.redeliveries,
});

const main = async (): Promise<number> => {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.length > 0)
    throw new UsageError(`unexpected argument ${args[0]}; see npm run dev -- --help`);

  const options = devOptionsFromEnvironment(process.env);
  const logSink =
    options.logFormat === 'json'
      ? jsonLogSink(process.stdout)
      : options.logFormat === 'pretty'
        ? readableLogSink(process.stdout)
        : defaultLogSink(process.stdout);
  const say = (line: string) => process.stderr.write(`${line}\n`);

  const runtime = await startLocalRuntime({
    sqsPort: options.sqsPort,
    healthPort: options.healthPort,
    databaseName: options.databaseName,
    region: options.region,
    logLevel: options.logLevel,
    logSink,
    log: say,
    settings: options.settings,
    environment: options.environment,
    ...(options.mongoUri === undefined ? {} : { mongoUri: options.mongoUri }),
    ...(options.pollers === undefined ? {} : { pollers: options.pollers }),
  });
  writeDevEndpoints({
    pid: process.pid,
    sqsEndpoint: runtime.sqsEndpoint,
    region: runtime.region,
    queueUrl: runtime.queueUrl,
    deadLetterQueueUrl: runtime.deadLetterQueueUrl,
    healthUrl: runtime.healthUrl,
    mongoUri: runtime.mongoUri,
    databaseName: runtime.databaseName,
    startedAt: new Date().toISOString(),
  });
  say(banner(runtime));

  const logger = new LocalLogger({
    serviceName: 'local-runtime',
    logLevel: options.logLevel,
    sink: logSink,
  });
  // A summary when something happened since the last one, so a quiet service stays quiet.
  let reported = JSON.stringify(statsLine(runtime.stats()));
  const reporter = setInterval(() => {
    const current = JSON.stringify(statsLine(runtime.stats()));
    if (current === reported) return;
    reported = current;
    logger.info('event source mapping', statsLine(runtime.stats()));
  }, 10_000);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        say(`${signal} again: exiting without waiting.`);
        process.exit(130);
      }
      stopping = true;
      clearInterval(reporter);
      say(`${signal}: stopping (in-flight batches finish first)…`);
      void runtime
        .stop()
        .finally(() => removeDevEndpoints(process.pid, devEndpointsPath))
        .then(
          () => {
            say(`Stopped. ${JSON.stringify(statsLine(runtime.stats()))}`);
            resolve(0);
          },
          (error: unknown) => {
            say(`Stopped with an error: ${String(error)}`);
            resolve(1);
          },
        );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
};

runCli('dev', main);
