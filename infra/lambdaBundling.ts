import { join, resolve } from 'node:path';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/** The repository root: entry points and `dist/` are resolved from here. */
export const projectRoot = resolve(import.meta.dirname, '..');

/** The Lambda entry points, by the name their bundle gets. */
export const lambdaEntries = {
  consumer: 'lambda/consumer/handler.ts',
  health: 'lambda/health/handler.ts',
} as const;

/** A Lambda the project bundles. */
export type LambdaName = keyof typeof lambdaEntries;

/**
 * Optional dependencies of the MongoDB driver, loaded with `require` only when a feature asks for
 * them (Kerberos, compression, SOCKS5 proxy, client-side encryption, AWS/GCP authentication). We use
 * none; left external, a `require` that is never reached costs nothing, while bundling would fail
 * on the missing native modules.
 */
const mongodbOptionalDependencies = [
  'kerberos',
  '@mongodb-js/zstd',
  'snappy',
  'socks',
  'aws4',
  'mongodb-client-encryption',
  'gcp-metadata',
  '@aws-sdk/credential-providers',
];

/**
 * The one description of how a Lambda is bundled, turned into CDK's options and into esbuild's by
 * the two functions below, so `cdk synth` and `npm run build` produce the same code.
 *
 * - ESM output (`.mjs`), which the handlers' top-level `await` needs;
 * - a banner that defines `require` for the CommonJS dependencies (the MongoDB driver) bundled
 *   into an ES module;
 * - the AWS SDK is bundled, not taken from the runtime: the deployed code is the tested code;
 * - minified, with external source maps (`NODE_OPTIONS=--enable-source-maps` maps stack traces).
 */
export const lambdaBundling = {
  target: 'node22',
  minify: true,
  sourceMap: true,
  mainFields: ['module', 'main'],
  banner:
    "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  external: mongodbOptionalDependencies,
} as const;

/** `NodejsFunction` bundling options: local esbuild only, never Docker. */
export const cdkBundlingOptions = (): BundlingOptions => ({
  format: OutputFormat.ESM,
  target: lambdaBundling.target,
  minify: lambdaBundling.minify,
  sourceMap: lambdaBundling.sourceMap,
  sourcesContent: false,
  mainFields: [...lambdaBundling.mainFields],
  banner: lambdaBundling.banner,
  externalModules: [...lambdaBundling.external],
  bundleAwsSDK: true,
  forceDockerBundling: false,
});

/** esbuild options for bundling `name` into `outdir/<name>/index.mjs`, as CDK does. */
export const esbuildOptions = (name: LambdaName, outdir: string): BuildOptions => ({
  entryPoints: [join(projectRoot, lambdaEntries[name])],
  outfile: join(outdir, name, 'index.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: lambdaBundling.target,
  minify: lambdaBundling.minify,
  sourcemap: lambdaBundling.sourceMap,
  sourcesContent: false,
  mainFields: [...lambdaBundling.mainFields],
  banner: { js: lambdaBundling.banner },
  external: [...lambdaBundling.external],
  metafile: true,
  logLevel: 'warning',
});
