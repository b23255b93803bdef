/** The middle value (the mean of the two middle values for an even count); NaN when empty. */
export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[Math.floor(middle)] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/**
 * The nearest-rank percentile: the smallest value with at least `p` % of the values at or below
 * it. Of fewer than 100 values, p99 is the largest.
 */
export const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

/** The sum of the values. */
export const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
