import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { BundleName } from './measureBundles.js';

const sampler = join(import.meta.dirname, 'importBundle.mjs');

/**
 * The environment each sample runs in, and nothing else from ours (no NODE_OPTIONS, no loader):
 * valid configuration pointing at a closed port, since no handler connects before its first event.
 */
const importEnvironment = {
  MONGO_URI: 'mongodb://127.0.0.1:9/',
  QUEUE_URL: 'http://127.0.0.1:9/000000000000/order-queue',
  DLQ_URL: 'http://127.0.0.1:9/000000000000/order-queue-dlq',
  AWS_REGION: 'us-east-1',
  LOG_LEVEL: 'ERROR',
};

const importOnce = (bundle: string): number => {
  const child = spawnSync(process.execPath, [sampler, bundle], {
    env: importEnvironment,
    encoding: 'utf8',
  });
  const ms = Number(child.stdout.trim());
  if (child.status !== 0 || !Number.isFinite(ms)) {
    throw new Error(`importing ${bundle} failed:\n${child.stderr || child.stdout}`);
  }
  return ms;
};

/**
 * Imports each bundle `samples` times, each time in a fresh Node process, taking the bundles in
 * turn (A, B, C, A, B, C…) so that a machine getting busier or quieter affects all alike.
 * Returns the samples in milliseconds, by bundle.
 */
export const measureColdImports = (
  bundles: Readonly<Partial<Record<BundleName, string>>>,
  samples: number,
): Record<BundleName, number[]> => {
  const times = {} as Record<BundleName, number[]>;
  for (let round = 0; round < samples; round++) {
    for (const [name, outfile] of Object.entries(bundles) as [BundleName, string][]) {
      times[name] ??= [];
      times[name].push(importOnce(outfile));
    }
  }
  return times;
};
