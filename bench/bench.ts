/**
 * `npm run bench [-- --check] [-- --json <file>]`: what the order consumer costs, measured.
 *
 * - bundle size of each Lambda, as the stack bundles it, and its largest packages, next to the
 *   floor: the MongoDB driver alone, bundled with the same options;
 * - cold import of each bundle in fresh Node processes, and the consumer's ratio to the floor's,
 *   sampled until that ratio's spread is small;
 * - the consumer handler against a real MongoDB behind a 20 ms round trip: p50 of batches of 1, 10
 *   and 100, new orders and all duplicates, with the default pool and with one connection, and the
 *   MongoDB commands each batch costs, from the driver's command monitoring;
 * - end to end through the local runtime: orders per second from the first send to the last order
 *   stored, beside the legacy service's.
 *
 * A benchmark, not a test: without `--check` it exits 0 whatever the figures.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { projectRoot } from '../infra/lambdaBundling.js';
import { parseCliArguments } from '../local/cli/cliArguments.js';
import { runCli } from '../local/cli/runCli.js';
import { startEmbeddedMongo } from '../local/runtime/embeddedMongo.js';
import { defaultSettings } from '../settings/serviceSettings.js';
import { benchRows, formatTable, misses, targets } from './benchRows.js';
import { measureBundles } from './measureBundles.js';
import { measureColdImports } from './measureColdImports.js';
import { measureEndToEnd } from './measureEndToEnd.js';
import { measureHandler } from './measureHandler.js';

const HELP = `Usage: npm run bench [-- --check] [-- --json <file>]

Measures bundle sizes, cold imports, the consumer's batch latency and MongoDB commands through a
20 ms round trip, and end-to-end throughput through the local runtime, then prints one table.
MongoDB: MONGO_URI, else an embedded server. Bundles are left in dist/bench/.

  --check        exit 1 when a target is missed (without it the exit status is 0)
  --json <file>  also write every figure, each sample included, to <file> as JSON`;

// Cold imports: rounds of 10 per bundle until the ratio's spread is under its target, 400 at most.
const IMPORT_SAMPLING = {
  round: 10,
  maxSamples: 400,
  maxSpread: targets.consumerImportRatioSpread,
} as const;
const END_TO_END_ORDERS = 1000;

const say = (line: string) => process.stderr.write(`${line}\n`);

/** Runs one part of the bench, saying what it does and how long it took. */
const stage = async <T>(label: string, work: () => T | Promise<T>): Promise<T> => {
  say(`${label}…`);
  const started = Date.now();
  const result = await work();
  say(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
};

const describeServer = async (uri: string) => {
  const client = new MongoClient(uri);
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    return info.ferretdbVersion
      ? `FerretDB ${info.ferretdbVersion} (reports MongoDB ${info.version})`
      : `MongoDB ${info.version}`;
  } finally {
    await client.close();
  }
};

const main = async (): Promise<number> => {
  const { values } = parseCliArguments(
    process.argv.slice(2),
    { check: { type: 'boolean' }, json: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    'npm run bench -- --help',
  );
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }

  const embedded = process.env.MONGO_URI ? undefined : await startEmbeddedMongo(say);
  const mongoUri = process.env.MONGO_URI ?? embedded?.uri ?? '';
  // Databases of this run's own, so earlier runs' orders and idempotency records play no part.
  const databasePrefix = `bench_${Date.now().toString(36)}`;
  const started = Date.now();
  try {
    const server = await describeServer(mongoUri);
    const bundles = await stage('Bundling', () =>
      measureBundles(join(projectRoot, 'dist', 'bench')),
    );
    const coldImports = await stage(
      'Cold imports (fresh processes, until the ratio is steady)',
      () =>
        measureColdImports(
          Object.fromEntries(bundles.map((bundle) => [bundle.name, bundle.outfile])),
          IMPORT_SAMPLING,
        ),
    );
    const handler = await stage('Consumer handler against MongoDB, 20 ms away', () =>
      measureHandler({ mongoUri, databasePrefix }),
    );
    const endToEnd = await stage(
      `End to end through the local runtime (${defaultSettings.maxConcurrency} pollers)`,
      () =>
        measureEndToEnd({
          mongoUri,
          databaseName: `${databasePrefix}_e2e`,
          orders: END_TO_END_ORDERS,
          pollers: defaultSettings.maxConcurrency,
        }),
    );

    const rows = benchRows({ bundles, coldImports, handler, endToEnd });
    const machine = {
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGB: Math.round(totalmem() / 1e9),
      node: process.version,
      mongo: `${server}${embedded ? `, embedded ${embedded.kind}` : ', MONGO_URI'}`,
    };
    const date = new Date().toISOString();
    const missed = rows
      .filter(misses)
      .map((row) => `${row.metric.trim()}: ${row.shown} ${row.unit}, target ≤ ${row.target}`);
    process.stdout.write(
      [
        '',
        `Order consumer benchmark, ${date}, ${Math.round((Date.now() - started) / 1000)} s`,
        `${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGB} GB, Node ${machine.node}, ${machine.mongo}`,
        '',
        formatTable(rows),
        '',
        missed.length === 0 ? 'Every target met.' : `Targets missed: ${missed.join('; ')}`,
        '',
      ].join('\n'),
    );
    if (values.json !== undefined) {
      writeFileSync(
        values.json,
        `${JSON.stringify({ date, machine, targets, rows, bundles, coldImports, handler, endToEnd }, null, 2)}\n`,
      );
      say(`Figures written to ${values.json}`);
    }
    if (!values.check || missed.length === 0) return 0;
    say(`bench --check: ${missed.length} target(s) missed`);
    return 1;
  } finally {
    await embedded?.stop();
  }
};

runCli('bench', main);
