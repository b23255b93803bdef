import { CONTEXT_KEYS } from './stackPropsFromContext.js';

// CDK's own keys: feature flags (`@aws-cdk/…`), the CLI's (`aws:cdk:…`, `aws-cdk:…`, `cdk-…`,
// `acknowledged-issue-numbers`), and lookups cached in cdk.context.json (`availability-zones:…`).
const CDK_KEY = /^(?:@|aws:cdk:|aws-cdk|cdk-|acknowledged-issue-numbers$)|:/;

// Levenshtein distance, ignoring case: inserts, deletions and replacements turning one into the other.
const distance = (from: string, to: string): number => {
  const [a, b] = [from.toLowerCase(), to.toLowerCase()];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const replace = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, replace);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
};

/**
 * The context keys (`-c key=value`, cdk.json) that neither the app ({@link CONTEXT_KEYS}) nor CDK
 * reads, each with the known key closest to it: a typo there would deploy the default silently.
 */
export const unknownContextKeys = (
  keys: readonly string[],
): { readonly key: string; readonly closest: string }[] =>
  keys
    .filter((key) => !CDK_KEY.test(key) && !(CONTEXT_KEYS as readonly string[]).includes(key))
    .map((key) => ({
      key,
      closest: CONTEXT_KEYS.reduce((best, known) =>
        distance(key, known) < distance(key, best) ? known : best,
      ),
    }));
