import { readFileSync, writeFileSync } from 'node:fs';
import { localStackFunctionUrl } from './localStackFunctionUrl.js';

/**
 * Run by scripts/deploy-local.sh after `cdklocal deploy`: rewrites every `*Url` output of the
 * outputs file that is a Function URL in AWS's form into the form LocalStack serves, so `curl`,
 * `npm run dlq` and the e2e test can use the file as it is. Usage: `tsx … <file> <endpoint>`.
 */
const [file, endpoint] = process.argv.slice(2);
if (!file || !endpoint) throw new Error('usage: normalizeLocalOutputs <outputs.json> <endpoint>');

const stacks = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string>>;
for (const outputs of Object.values(stacks)) {
  for (const [key, value] of Object.entries(outputs)) {
    if (key.endsWith('Url')) outputs[key] = localStackFunctionUrl(value, endpoint);
  }
  if (outputs.HealthUrl) console.log(`Health check: curl -s ${outputs.HealthUrl}`);
}
writeFileSync(file, `${JSON.stringify(stacks, null, 2)}\n`);
