import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { esbuildOptions, type LambdaName, lambdaEntries } from '../infra/lambdaBundling.js';

/** What `npm run bench` bundles: the Lambdas, and the floor (the MongoDB driver alone). */
export type BundleName = LambdaName | 'floor';

/** One package's share of a bundle. */
export interface Contributor {
  /** The npm package, or the project folder for our own code. */
  readonly name: string;
  /** Bytes it contributes to the minified output (esbuild's `bytesInOutput`). */
  readonly bytes: number;
}

/** A bundle as built, with its size and the packages that weigh most. */
export interface BundleFigures {
  readonly name: BundleName;
  readonly outfile: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Largest first. */
  readonly contributors: readonly Contributor[];
}

const floorEntry = join(import.meta.dirname, 'floor.ts');

// The last `node_modules/<package>` of an input path names the package that ships it; inputs
// outside node_modules are ours, grouped by their top folder.
const packageOf = (input: string): string => {
  const packages = [...input.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
  const last = packages.at(-1)?.[1];
  return last ?? `(project) ${input.split('/')[0]}/`;
};

const contributorsOf = (metafile: Metafile, outfile: string): Contributor[] => {
  const output = Object.entries(metafile.outputs).find(([path]) => resolve(path) === outfile)?.[1];
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const name = packageOf(input);
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  return [...byPackage].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
};

/** Every bundle the bench measures, the floor last. */
const bundleNames: readonly BundleName[] = [
  ...(Object.keys(lambdaEntries) as LambdaName[]),
  'floor',
];

// The floor gets the consumer's options, entry point aside.
const bundleOptions = (name: BundleName, outdir: string): BuildOptions =>
  name === 'floor'
    ? {
        ...esbuildOptions('consumer', outdir),
        entryPoints: [floorEntry],
        outfile: join(outdir, 'floor', 'index.mjs'),
      }
    : esbuildOptions(name, outdir);

/**
 * Bundles each Lambda exactly as the stack does (`esbuildOptions` of `infra/lambdaBundling.ts`)
 * and the floor, into `outdir/<name>/index.mjs`.
 */
export const measureBundles = async (outdir: string): Promise<BundleFigures[]> => {
  const figures: BundleFigures[] = [];
  for (const name of bundleNames) {
    const options = bundleOptions(name, outdir);
    const { metafile } = await build({ ...options, metafile: true, logLevel: 'error' });
    const outfile = resolve(options.outfile ?? '');
    const code = readFileSync(outfile);
    figures.push({
      name,
      outfile,
      bytes: code.length,
      gzipBytes: gzipSync(code).length,
      contributors: contributorsOf(metafile, outfile),
    });
  }
  return figures;
};
