import { type Collection, type InsertOneOptions, MongoServerError } from 'mongodb';
import { abortAfter } from './abortAfter.js';
import { DependencyUnavailableError, OrderConflictError } from './errors.js';
import { differingField, type OrderDocument } from './orderDocument.js';

/** What happened to an order write. */
export type InsertOutcome =
  | { readonly outcome: 'created' }
  | { readonly outcome: 'already-stored'; readonly existingStatus: unknown };

/** Options of {@link OrdersRepository}. */
export interface OrdersRepositoryOptions {
  /** The `orders` collection. Typed loosely: legacy documents share it. */
  readonly collection: Collection<OrderDocument>;
  /** Time allowed to each operation; unbounded (the client's own timeouts) when it returns undefined. */
  readonly operationTimeoutMs?: () => number | undefined;
}

const DUPLICATE_KEY = 11000;

/**
 * Writes orders exactly once, on its own, without the idempotency store: `_id` is the `order_id`,
 * a document is inserted and never updated. A second write of the same order is a success; of a
 * different order under the same id, an {@link OrderConflictError}. So even a lost idempotency
 * record cannot create a second order or overwrite one (including one the legacy service wrote).
 */
export class OrdersRepository {
  readonly #collection: Collection<OrderDocument>;
  readonly #operationTimeoutMs: () => number | undefined;

  // Cast: the driver honours `signal` on writes too (see abortAfter).
  #bounded(): InsertOneOptions {
    return abortAfter(this.#operationTimeoutMs()) as InsertOneOptions;
  }

  constructor(options: OrdersRepositoryOptions) {
    this.#collection = options.collection;
    this.#operationTimeoutMs = options.operationTimeoutMs ?? (() => undefined);
  }

  /**
   * Inserts the order unless a document with its `_id` exists.
   *
   * @throws {OrderConflictError} when the existing document holds a different order.
   */
  async insertOnce(order: OrderDocument): Promise<InsertOutcome> {
    // A document deleted between our failed insert and our read is rare; one more round settles it.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#collection.insertOne(order, this.#bounded());
        return { outcome: 'created' };
      } catch (error) {
        if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
      }
      const existing = await this.#collection.findOne({ _id: order._id }, this.#bounded());
      if (existing === null) {
        if (attempt < 2) continue;
        throw new DependencyUnavailableError(`Order ${order._id} write raced with a delete`);
      }
      const field = differingField(existing, order);
      if (field !== undefined) throw new OrderConflictError(order._id, `${field} differs`);
      return { outcome: 'already-stored', existingStatus: existing.status };
    }
  }
}
