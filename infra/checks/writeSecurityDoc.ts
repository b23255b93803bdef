import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../lambdaBundling.js';
import { withAcceptedFindingsTable } from './acceptedFindingsTable.js';

// `npm run docs:security`: rewrites the accepted-findings table of docs/security.md from
// acceptedFindings.ts; tests/infra/checks/acceptedFindings.test.ts fails while the two differ.
const file = join(projectRoot, 'docs', 'security.md');
writeFileSync(file, withAcceptedFindingsTable(readFileSync(file, 'utf8')));
console.log(`docs/security.md: accepted findings written`);
