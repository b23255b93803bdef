import { readFileSync, writeFileSync } from 'node:fs';
import { type LocalEmulator, localStackFunctionUrl } from './localStackFunctionUrl.js';

/**
 * Run by scripts/deploy-local.sh after `cdklocal deploy`: rewrites every `*Url` output of the
 * outputs file that is a Function URL into the form the emulator serves to this machine, so `curl`,
 * `fetch` and the e2e test can use the file as it is.
 * Usage: `tsx … <file> <endpoint> <localstack|ministack>`.
 */
const [file, endpoint, emulator] = process.argv.slice(2);
if (!file || !endpoint || (emulator !== 'localstack' && emulator !== 'ministack')) {
  throw new Error('usage: normalizeLocalOutputs <outputs.json> <endpoint> <localstack|ministack>');
}

const stacks = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string>>;
for (const outputs of Object.values(stacks)) {
  for (const [key, value] of Object.entries(outputs)) {
    if (key.endsWith('Url')) {
      outputs[key] = localStackFunctionUrl(value, endpoint, emulator as LocalEmulator);
    }
  }
  if (outputs.HealthUrl) console.log(`Health check: curl -s ${outputs.HealthUrl}`);
}
writeFileSync(file, `${JSON.stringify(stacks, null, 2)}\n`);
