import { statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptions, type LambdaName, lambdaEntries, projectRoot } from './lambdaBundling.js';

/**
 * `npm run build`: bundles both Lambdas into `dist/<name>/index.mjs` with the options the CDK
 * stack uses, and prints each bundle's size so changes in weight are noticed.
 */
const outdir = join(projectRoot, 'dist');
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

for (const name of Object.keys(lambdaEntries) as LambdaName[]) {
  const options = esbuildOptions(name, outdir);
  await build(options);
  const outfile = options.outfile ?? '';
  const size = statSync(outfile).size;
  const mapSize = statSync(`${outfile}.map`).size;
  console.log(
    `${name.padEnd(9)} ${relative(projectRoot, outfile)}  ${kib(size)} (source map ${kib(mapSize)})`,
  );
}
