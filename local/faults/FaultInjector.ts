import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultMode, FaultProxy } from './FaultProxy.js';

/** The kinds of trouble a chaos run injects between the consumer and MongoDB. */
export type FaultKind = 'refuse' | 'reset' | 'latency' | 'slow' | 'blackhole';

/** One fault window of the schedule. */
export interface FaultWindow {
  readonly kind: FaultKind;
  /** Quiet time before the window opens. */
  readonly gapMs: number;
  /** How long the fault lasts (resets are instantaneous, repeated `repeats` times). */
  readonly durationMs: number;
  /** For `latency` and `slow`: added to every chunk, each way. */
  readonly latencyMs?: number;
  /** For `reset`: how many resets, 100 ms apart. */
  readonly repeats?: number;
}

/** How windows are drawn; the defaults suit the local runtime's shortened timeouts. */
export interface FaultScheduleOptions {
  /**
   * The queue's visibility timeout. Gaps are longer than it, so a message that failed in one
   * window is redelivered in calm weather: with `maxReceiveCount` 5, a valid message would have
   * to meet five windows in a row to reach the DLQ, which gaps longer than the visibility timeout
   * rule out as long as each window's effect is shorter than the gap.
   */
  readonly visibilityTimeoutMs: number;
  /** The consumer timeout: `slow` windows add more latency than this. */
  readonly functionTimeoutMs: number;
}

const KINDS: readonly FaultKind[] = ['refuse', 'reset', 'latency', 'slow', 'blackhole'];

const between = (random: () => number, min: number, max: number): number =>
  Math.round(min + random() * (max - min));

/** Draws the next window from the seeded `random`: the sequence depends on the seed only. */
const nextFaultWindow = (
  random: () => number,
  options: FaultScheduleOptions,
  first = false,
): FaultWindow => {
  const kind = KINDS[Math.floor(random() * KINDS.length)] ?? 'reset';
  // The first window comes early, so that even a short run meets trouble.
  const gapMs = first
    ? between(random, 1_000, 3_000)
    : between(random, options.visibilityTimeoutMs + 1_000, options.visibilityTimeoutMs * 2);
  switch (kind) {
    case 'refuse':
      return { kind, gapMs, durationMs: between(random, 500, 2_000) };
    case 'reset':
      return { kind, gapMs, durationMs: 0, repeats: between(random, 1, 3) };
    case 'latency':
      return {
        kind,
        gapMs,
        durationMs: between(random, 2_000, 4_000),
        latencyMs: between(random, 20, 300),
      };
    case 'slow':
      return {
        kind,
        gapMs,
        durationMs: between(random, 300, 1_000),
        latencyMs: options.functionTimeoutMs + 1_000,
      };
    case 'blackhole':
      return { kind, gapMs, durationMs: between(random, 500, 2_000) };
  }
};

const modeOf = (window: FaultWindow): FaultMode => {
  switch (window.kind) {
    case 'refuse':
      return { kind: 'refuse' };
    case 'latency':
    case 'slow':
      return { kind: 'latency', ms: window.latencyMs ?? 0 };
    case 'blackhole':
      return { kind: 'blackhole' };
    case 'reset':
      return { kind: 'pass' };
  }
};

/**
 * Applies a seeded schedule of fault windows to a {@link FaultProxy} until stopped: calm gap,
 * fault, calm gap… The sequence of windows is the seed's; where they fall among the messages
 * depends on the machine's speed, as in any real-time system.
 */
export class FaultInjector {
  readonly #proxy: FaultProxy;
  readonly #random: () => number;
  readonly #options: FaultScheduleOptions;
  readonly #onWindow: (window: FaultWindow) => void;
  readonly #abort = new AbortController();
  readonly #injected = new Map<FaultKind, number>();
  #running: Promise<void> | undefined;

  constructor(
    proxy: FaultProxy,
    random: () => number,
    options: FaultScheduleOptions & { readonly onWindow?: (window: FaultWindow) => void },
  ) {
    this.#proxy = proxy;
    this.#random = random;
    this.#options = options;
    this.#onWindow = options.onWindow ?? (() => undefined);
  }

  /** Windows applied so far, by kind. */
  injected(): ReadonlyMap<FaultKind, number> {
    return new Map(this.#injected);
  }

  start(): void {
    this.#running ??= this.#run().catch((error: unknown) => {
      if (!this.#abort.signal.aborted) throw error;
    });
  }

  /** Ends the window in progress (the proxy passes traffic again) and stops the schedule. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running;
    await this.#proxy.setMode({ kind: 'pass' });
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    for (let first = true; !signal.aborted; first = false) {
      const window = nextFaultWindow(this.#random, this.#options, first);
      await sleep(window.gapMs, undefined, { signal });
      this.#onWindow(window);
      this.#injected.set(window.kind, (this.#injected.get(window.kind) ?? 0) + 1);
      if (window.kind === 'reset') {
        for (let n = 0; n < (window.repeats ?? 1); n++) {
          this.#proxy.resetAll();
          await sleep(100, undefined, { signal });
        }
        continue;
      }
      await this.#proxy.setMode(modeOf(window));
      // A server going down drops the connections it had; the others leave them be.
      if (window.kind === 'refuse') this.#proxy.resetAll();
      try {
        await sleep(window.durationMs, undefined, { signal });
      } finally {
        await this.#proxy.setMode({ kind: 'pass' });
      }
    }
  }
}
