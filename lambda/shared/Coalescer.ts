/** Runs one bulk call for `items`; answers each item, in order, with its value or its Error. */
export type BulkCall<In, Out> = (items: readonly In[]) => Promise<readonly (Out | Error)[]>;

/** Options of {@link Coalescer}. */
export interface CoalescerOptions {
  /** Most items per bulk call; more make several calls. Default: no limit. */
  readonly maxItems?: number;
  /** When to flush what was submitted; default `setImmediate`, after the current turn. */
  readonly schedule?: (flush: () => void) => void;
}

/**
 * Gathers the calls made in one turn of the event loop, such as every record of a batch reaching
 * the same step at once, and serves them with one bulk call: N records cost one round trip
 * instead of N. Each caller still gets its own value or its own error, so one record's failure
 * never fails its batch-mates; a bulk call that fails as a whole fails exactly its items.
 *
 * The same idea as DataLoader, in the 40 lines this service needs: no cache, no keys, items
 * answered positionally.
 */
export class Coalescer<In, Out> {
  readonly #call: BulkCall<In, Out>;
  readonly #maxItems: number;
  readonly #schedule: (flush: () => void) => void;
  #pending: { item: In; resolve: (value: Out) => void; reject: (error: unknown) => void }[] = [];

  constructor(call: BulkCall<In, Out>, options: CoalescerOptions = {}) {
    this.#call = call;
    this.#maxItems = options.maxItems ?? Number.POSITIVE_INFINITY;
    this.#schedule = options.schedule ?? ((flush) => setImmediate(flush));
  }

  /** Queues `item` for the next bulk call and resolves with its own answer. */
  submit(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      if (this.#pending.push({ item, resolve, reject }) === 1) {
        this.#schedule(() => void this.#flush());
      }
    });
  }

  // The chunks of one flush go one after another: a batch larger than `maxItems` is rare, and
  // needs no parallel commands. Other flushes (a later turn, another coalescer) may run at the same
  // time: `maxItems` bounds each command, not the commands in flight.
  async #flush(): Promise<void> {
    const pending = this.#pending;
    this.#pending = [];
    for (let start = 0; start < pending.length; start += this.#maxItems) {
      const chunk = pending.slice(start, start + this.#maxItems);
      try {
        const answers = await this.#call(chunk.map(({ item }) => item));
        for (const [index, { resolve, reject }] of chunk.entries()) {
          const answer = answers[index];
          if (answer instanceof Error) reject(answer);
          else if (index >= answers.length) reject(new Error('bulk call gave no answer'));
          else resolve(answer as Out);
        }
      } catch (error) {
        for (const { reject } of chunk) reject(error);
      }
    }
  }
}
