import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { BundleName } from './measureBundles.js';
import { median } from './statistics.js';

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

/** Cold imports of each bundle, and how far the consumer's ratio to the floor can be trusted. */
export interface ColdImports {
  readonly samplesMs: Record<BundleName, number[]>;
  /** Median consumer import ÷ median floor import. */
  readonly consumerRatio: number;
  /**
   * Width of the middle 90 % of that ratio over resamples of the samples (bootstrap): what another
   * run of the same length could plausibly give, from one side to the other.
   */
  readonly consumerRatioSpread: number;
}

// A deterministic generator, so the spread of a given set of samples is always the same.
const resampler = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};

const ratioSpread = (consumer: readonly number[], floor: readonly number[]): number => {
  const random = resampler(42);
  const pick = (values: readonly number[]) =>
    values.map(() => values[Math.floor(random() * values.length)] ?? Number.NaN);
  const ratios = Array.from(
    { length: 400 },
    () => median(pick(consumer)) / median(pick(floor)),
  ).sort((a, b) => a - b);
  return (ratios[379] ?? Number.NaN) - (ratios[20] ?? Number.NaN);
};

/**
 * Imports each bundle in fresh Node processes, taking the bundles in turn (A, B, C, A, B, C…) so
 * that a machine getting busier or quieter affects all alike, in rounds of `round` samples each,
 * until the consumer's ratio to the floor has a spread below `maxSpread`, or `maxSamples` are taken.
 */
export const measureColdImports = (
  bundles: Readonly<Partial<Record<BundleName, string>>>,
  options: { readonly round: number; readonly maxSamples: number; readonly maxSpread: number },
): ColdImports => {
  const samplesMs = {} as Record<BundleName, number[]>;
  for (;;) {
    for (let sample = 0; sample < options.round; sample++) {
      for (const [name, outfile] of Object.entries(bundles) as [BundleName, string][]) {
        samplesMs[name] ??= [];
        samplesMs[name].push(importOnce(outfile));
      }
    }
    const consumerRatio = median(samplesMs.consumer) / median(samplesMs.floor);
    const consumerRatioSpread = ratioSpread(samplesMs.consumer, samplesMs.floor);
    if (consumerRatioSpread < options.maxSpread || samplesMs.floor.length >= options.maxSamples) {
      return { samplesMs, consumerRatio, consumerRatioSpread };
    }
  }
};
