import { basename, join, resolve } from 'node:path';
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
 * them (Kerberos, compression, SOCKS5 proxy, client-side encryption, GCP authentication). We use
 * none; left external, a `require` that is never reached costs nothing, while bundling would fail
 * on the missing native modules. (AWS authentication's is the runtime's, below.)
 */
const mongodbOptionalDependencies = [
  'kerberos',
  '@mongodb-js/zstd',
  'snappy',
  'socks',
  'aws4',
  'mongodb-client-encryption',
  'gcp-metadata',
];

/**
 * Packages left out of the bundles and imported, by name, from the AWS SDK v3 that the nodejs24.x
 * runtime ships in `/var/runtime/node_modules`. Since nodejs18.x, Lambda resolves ES module imports
 * from `NODE_PATH`, which lists that folder, "to include the AWS SDK as an ES module" (AWS Compute
 * Blog, "Node.js 18.x runtime now available in AWS Lambda", quoted in aws/aws-sdk-js#4431).
 * LocalStack runs the same AWS base images, SDK included, unmodified (localstack/localstack#10439).
 *
 * - `@aws-sdk/client-secrets-manager`: one `GetSecretValue` per cold start, and only when
 *   `MONGO_URI_SECRET_ID` is set (`lambda/shared/mongoUri.ts`).
 * - `@aws-sdk/client-sqs`: the consumer's dead letters (loaded with the first one, never at a cold
 *   start) and the health check's two `GetQueueAttributes`. Bundled, the client and the SDK core it
 *   brings are 457 KB: more than the consumer's whole budget.
 * - `@aws-sdk/credential-providers`: required by the MongoDB driver, only with `MONGO_AUTH=aws-iam`,
 *   for the execution role's credentials (`fromNodeProviderChain`); bundled, 354 KB
 *   (docs/decisions/0009-credential-providers-from-the-runtime.md).
 *
 * The runtime's SDK version is AWS's, not the one in package.json: 3.1105.0 in the nodejs24.x
 * image of runtime release 24.22.3, older than ours, and it changes with runtime updates. The calls
 * and client options used here are much older than either (decision 0007). Emulators that run
 * handlers as local processes (MiniStack) have no runtime SDK: local deployments bundle these too
 * ({@link cdkBundlingOptions}).
 */
export const runtimeProvidedModules = [
  '@aws-sdk/client-secrets-manager',
  '@aws-sdk/client-sqs',
  '@aws-sdk/credential-providers',
];

/**
 * Packages replaced by a module of ours when bundling. Paths are absolute: esbuild resolves an
 * alias from its working directory, which need not be the project root.
 *
 * - `whatwg-url`: a polyfill of the WHATWG `URL` that the MongoDB driver's connection-string
 *   parser imports for browsers; Node's own `URL` implements the same standard (the parser's
 *   maintainers are making the same change: mongodb-js/mongodb-connection-string-url#115).
 *   `tests/infra/shims/whatwgUrl.test.ts` checks that connection strings parse the same.
 * - `@mongodb-js/saslprep`: the driver prepares SCRAM-SHA-256 passwords with it; its stringprep
 *   tables only reject input, and cost 9 KB. `infra/shims/saslprep.ts` keeps the mapping, and
 *   `tests/infra/shims/saslprep.test.ts` checks it against the package on every code point.
 */
export const bundlingAliases: Readonly<Record<string, string>> = {
  'whatwg-url': join(projectRoot, 'infra', 'shims', 'whatwg-url.ts'),
  '@mongodb-js/saslprep': join(projectRoot, 'infra', 'shims', 'saslprep.ts'),
};

/**
 * The one description of how a Lambda is bundled, turned into CDK's options and into esbuild's by
 * the two functions below, so `cdk synth` and `npm run build` produce the same code.
 *
 * - ESM output (`.mjs`), which the handlers' top-level `await` needs;
 * - a banner that defines `require` for the CommonJS dependencies (the MongoDB driver) bundled
 *   into an ES module;
 * - the packages of {@link bundlingAliases} replaced by our modules;
 * - the AWS SDK clients ({@link runtimeProvidedModules}) come from the runtime;
 * - minified. Source maps are written beside the bundle by `npm run build`, to read a stack trace
 *   offline, but neither deployed nor enabled: Node parses a bundle's map when it loads the bundle
 *   if `--enable-source-maps` is on, which measured +10 ms on the consumer's 60 ms cold import.
 *   `external` maps carry no link comment, so the deployed code is byte for byte the built code;
 * - legal comments (`@license`, `@preserve`, `/*!`) moved to `index.mjs.LEGAL.txt` beside the
 *   bundle, deployed with it (the asset is the whole output folder).
 */
export const lambdaBundling = {
  target: 'node24',
  minify: true,
  sourceMap: 'external',
  legalComments: 'external',
  mainFields: ['module', 'main'],
  banner:
    "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  external: [...mongodbOptionalDependencies, ...runtimeProvidedModules],
  alias: bundlingAliases,
} as const;

/** Where Lambda unpacks a function's code asset, the bundle's folder. */
export const LAMBDA_TASK_ROOT = '/var/task';

/** The path inside the function of a file {@link cdkBundlingOptions} copied beside the bundle. */
export const pathInFunction = (file: string): string => `${LAMBDA_TASK_ROOT}/${basename(file)}`;

// Single quotes keep every character but the quote itself literal in bash.
const shellQuote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;

/**
 * `NodejsFunction` bundling options: local esbuild only, never Docker. `bundleAwsSdk` bundles the
 * runtime-provided SDK clients too, for emulators whose functions have no runtime SDK. `files`
 * (absolute paths) are copied beside the bundle after esbuild, so they are in the asset and its
 * hash, at {@link pathInFunction}.
 */
export const cdkBundlingOptions = (
  options: { bundleAwsSdk?: boolean; files?: readonly string[] } = {},
): BundlingOptions => ({
  format: OutputFormat.ESM,
  target: lambdaBundling.target,
  minify: lambdaBundling.minify,
  // The asset is the whole output folder: a map there would only be downloaded at every cold start.
  sourceMap: false,
  mainFields: [...lambdaBundling.mainFields],
  banner: lambdaBundling.banner,
  externalModules: options.bundleAwsSdk
    ? [...mongodbOptionalDependencies]
    : [...lambdaBundling.external],
  // Options CDK does not have; each `--alias` item becomes `--alias:<package>=<path>`.
  esbuildArgs: {
    '--legal-comments': lambdaBundling.legalComments,
    '--alias': Object.entries(lambdaBundling.alias).map(([name, path]) => `${name}=${path}`),
  },
  forceDockerBundling: false,
  // Local bundling runs these with bash (Windows: cmd, where `cp` is missing).
  commandHooks: options.files?.length
    ? {
        beforeBundling: () => [],
        beforeInstall: () => [],
        afterBundling: (_inputDir: string, outputDir: string) =>
          (options.files ?? []).map(
            (file) => `cp ${shellQuote(file)} ${shellQuote(join(outputDir, basename(file)))}`,
          ),
      }
    : undefined,
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
  legalComments: lambdaBundling.legalComments,
  mainFields: [...lambdaBundling.mainFields],
  banner: { js: lambdaBundling.banner },
  external: [...lambdaBundling.external],
  alias: { ...lambdaBundling.alias },
  metafile: true,
  logLevel: 'warning',
});
