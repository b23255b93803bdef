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
 * Packages replaced by a module of ours when bundling. Paths are absolute: esbuild resolves an
 * alias from its working directory, which need not be the project root.
 *
 * - `whatwg-url`: a polyfill of the WHATWG `URL` that the MongoDB driver's connection-string
 *   parser imports for browsers; Node's own `URL` implements the same standard (the parser's
 *   maintainers are making the same change: mongodb-js/mongodb-connection-string-url#115).
 *   `tests/infra/whatwgUrlShim.test.ts` checks that connection strings parse the same.
 */
export const bundlingAliases: Readonly<Record<string, string>> = {
  'whatwg-url': join(projectRoot, 'infra', 'shims', 'whatwg-url.ts'),
};

/**
 * The one description of how a Lambda is bundled, turned into CDK's options and into esbuild's by
 * the two functions below, so `cdk synth` and `npm run build` produce the same code.
 *
 * - ESM output (`.mjs`), which the handlers' top-level `await` needs;
 * - a banner that defines `require` for the CommonJS dependencies (the MongoDB driver) bundled
 *   into an ES module;
 * - the packages of {@link bundlingAliases} replaced by our modules;
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
  alias: bundlingAliases,
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
  // CDK has no `alias` option; each item becomes `--alias:<package>=<path>`.
  esbuildArgs: {
    '--alias': Object.entries(lambdaBundling.alias).map(([name, path]) => `${name}=${path}`),
  },
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
  alias: { ...lambdaBundling.alias },
  metafile: true,
  logLevel: 'warning',
});
