/**
 * A one-shot barrier for test choreography: code awaits {@link Gate.passage} until the test opens
 * the gate; {@link Gate.reached} resolves once something is waiting at it.
 */
export class Gate {
  readonly reached: Promise<void>;
  readonly #opened: Promise<void>;
  #markReached: () => void = () => undefined;
  #open: () => void = () => undefined;

  constructor() {
    this.reached = new Promise((resolve) => {
      this.#markReached = resolve;
    });
    this.#opened = new Promise((resolve) => {
      this.#open = resolve;
    });
  }

  /** Waits at the gate until it is opened. */
  passage(): Promise<void> {
    this.#markReached();
    return this.#opened;
  }

  open(): void {
    this.#open();
  }
}
