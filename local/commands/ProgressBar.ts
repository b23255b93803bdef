import type { LogStream } from '../runtime/logSinks.js';

/** Options of {@link ProgressBar}. */
export interface ProgressBarOptions {
  readonly total: number;
  readonly stream: LogStream;
  readonly label: string;
  /** Clock, replaceable in tests. */
  readonly now?: () => number;
}

const WIDTH = 30;
// Redraw at most this often on a terminal; every update would cost more than the sending.
const REDRAW_MS = 100;

/**
 * A progress bar: redrawn in place on a terminal (`[#####-----] 530/1060 50% 480/s`), and on a
 * pipe one line per quarter, so logs stay short.
 */
export class ProgressBar {
  readonly #options: ProgressBarOptions;
  readonly #now: () => number;
  readonly #started: number;
  #lastDraw = 0;
  #lastQuarter = 0;

  constructor(options: ProgressBarOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#started = this.#now();
  }

  /** Shows `done` of the total. */
  update(done: number): void {
    const { total, stream } = this.#options;
    if (stream.isTTY) {
      const now = this.#now();
      if (now - this.#lastDraw < REDRAW_MS && done < total) return;
      this.#lastDraw = now;
      stream.write(`\r${this.render(done)}`);
      return;
    }
    const quarter = total === 0 ? 4 : Math.floor((done / total) * 4);
    if (quarter > this.#lastQuarter) {
      this.#lastQuarter = quarter;
      stream.write(`${this.render(done)}\n`);
    }
  }

  /** Ends the bar's line on a terminal. */
  finish(done: number): void {
    this.update(done);
    if (this.#options.stream.isTTY) this.#options.stream.write('\n');
  }

  /** The bar's text for `done` of the total. */
  render(done: number): string {
    const { total, label } = this.#options;
    const ratio = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(ratio * WIDTH);
    const seconds = Math.max(0.001, (this.#now() - this.#started) / 1000);
    return `${label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${done}/${total} ${Math.round(
      ratio * 100,
    )}% ${Math.round(done / seconds)}/s`;
  }
}
