/**
 * `npm run bench`: what a deployment pays for, measured on the bundles the stack deploys.
 *
 * - size of each Lambda bundle (raw and gzipped: Lambda downloads the zip);
 * - cold start: importing the bundle in a fresh Node process, which is the module-initialisation
 *   part of a Lambda cold start (the runtime's own start is not ours to measure);
 * - the consumer's first batch after the import (connecting to MongoDB included), then warm
 *   batches of 10 records against a real MongoDB (MONGO_URI, else an embedded server).
 *
 * Prints a table and exits 1 when a target is missed. Targets are for this repository's
 * 2-core CI machine; a faster machine only does better.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import {
  esbuildOptions,
  type LambdaName,
  lambdaEntries,
  projectRoot,
} from '../infra/lambdaBundling.js';
import { startEmbeddedMongo } from '../local/embeddedMongo.js';

const COLD_RUNS = 7;
const WARM_BATCHES = 30;

interface Row {
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  /** The metric passes when value ≤ target. */
  readonly target?: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
  );
};

const measure = (bundle: string, env: Record<string, string>, batches: number) => {
  const child = spawnSync(
    process.execPath,
    [join(projectRoot, 'bench', 'measureBundle.mjs'), bundle, String(batches)],
    { env: { ...process.env, LOG_LEVEL: 'ERROR', ...env }, encoding: 'utf8' },
  );
  const last = child.stdout.trim().split('\n').at(-1) ?? '';
  if (child.status !== 0 || !last.startsWith('{')) {
    throw new Error(`bench: measuring ${bundle} failed:\n${child.stderr || child.stdout}`);
  }
  return JSON.parse(last) as { importMs: number; durations: number[]; failed: number };
};

const outdir = mkdtempSync(join(tmpdir(), 'order-bench-'));
const configured = process.env.MONGO_URI;
const embedded = configured ? undefined : await startEmbeddedMongo();
const mongoUri = configured ?? embedded?.uri ?? '';
const rows: Row[] = [];
try {
  const bundles = {} as Record<LambdaName, string>;
  for (const name of Object.keys(lambdaEntries) as LambdaName[]) {
    const options = esbuildOptions(name, outdir);
    await build({ ...options, logLevel: 'error' });
    bundles[name] = options.outfile ?? '';
    const bytes = statSync(bundles[name]).size;
    rows.push({ metric: `${name} bundle`, value: bytes / 1024, unit: 'KiB' });
    rows.push({
      metric: `${name} bundle, gzipped`,
      value: gzipSync(readFileSync(bundles[name])).length / 1024,
      unit: 'KiB',
      target: name === 'consumer' ? 600 : 450,
    });
  }

  // Import only: a closed port, since nothing connects before the first record.
  const importEnv = {
    MONGO_URI: 'mongodb://127.0.0.1:9/',
    QUEUE_URL: 'http://127.0.0.1:9/000000000000/order-queue',
    DLQ_URL: 'http://127.0.0.1:9/000000000000/order-queue-dlq',
    AWS_REGION: 'us-east-1',
  };
  for (const name of Object.keys(bundles) as LambdaName[]) {
    const imports = Array.from(
      { length: COLD_RUNS },
      () => measure(bundles[name], importEnv, 0).importMs,
    );
    rows.push({
      metric: `${name} cold import, median of ${COLD_RUNS}`,
      value: median(imports),
      unit: 'ms',
      target: 400,
    });
  }

  const databaseEnv = { MONGO_URI: mongoUri, MONGO_DB_NAME: `bench_${Date.now()}` };
  const first = measure(bundles.consumer, databaseEnv, 1);
  rows.push({
    metric: 'consumer first batch of 10 (connects)',
    value: first.durations[0] ?? Number.NaN,
    unit: 'ms',
    target: 2_000,
  });
  const warm = measure(bundles.consumer, databaseEnv, WARM_BATCHES + 1);
  const batches = warm.durations.slice(1);
  if (warm.failed + first.failed > 0)
    throw new Error(`bench: ${warm.failed + first.failed} records failed`);
  rows.push({ metric: 'consumer warm batch of 10, p50', value: median(batches), unit: 'ms' });
  rows.push({
    metric: 'consumer warm batch of 10, p99',
    value: percentile(batches, 99),
    unit: 'ms',
    target: 2_000,
  });
  rows.push({
    metric: 'consumer warm throughput, one container',
    value: (10 * batches.length) / (batches.reduce((a, b) => a + b, 0) / 1000),
    unit: 'orders/s',
  });
} finally {
  rmSync(outdir, { recursive: true, force: true });
  await embedded?.stop();
}

const server = configured ? 'MONGO_URI' : `embedded ${embedded?.kind}`;
console.log(`\nOrder service benchmark (Node ${process.version}, MongoDB: ${server})\n`);
console.log(`${'metric'.padEnd(44)} ${'value'.padStart(10)}  ${'unit'.padEnd(9)} target`);
let missed = 0;
for (const row of rows) {
  const ok = row.target === undefined || row.value <= row.target;
  if (!ok) missed++;
  const target = row.target === undefined ? '' : `≤ ${row.target} ${ok ? 'ok' : 'MISSED'}`;
  console.log(
    `${row.metric.padEnd(44)} ${row.value.toFixed(1).padStart(10)}  ${row.unit.padEnd(9)} ${target}`,
  );
}
if (missed > 0) {
  console.error(`\n${missed} target(s) missed`);
  process.exit(1);
}
