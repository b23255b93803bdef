import type { ConsumerMetrics } from '../../lambda/consumer/createConsumerHandler.js';

/**
 * The consumer's metrics, counted in memory instead of printed as EMF: the local runtime shows
 * them in its summary, tests read them. `counts` may be shared by several containers.
 */
export class CountingMetrics implements ConsumerMetrics {
  readonly counts: Map<string, number>;

  constructor(counts: Map<string, number> = new Map()) {
    this.counts = counts;
  }

  addMetric(name: string, _unit: unknown, value: number): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + value);
  }

  // Counting happens as metrics are added; there is nothing to flush.
  publishStoredMetrics(): void {}
}
