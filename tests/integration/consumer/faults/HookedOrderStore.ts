import { MongoOrderStore } from '../../../../lambda/shared/MongoOrderStore.js';
import type { StoreOutcome } from '../../../../lambda/shared/OrderStore.js';
import type { OrderDocument } from '../../../../lambda/shared/orderDocument.js';

/** Code run around one order write, to stall, observe or kill the consumer at that point. */
export interface InsertHooks {
  /** Before the insert (the idempotency record is already INPROGRESS). */
  before?(order: OrderDocument): Promise<void>;
  /** After the insert returned, before the idempotency record is completed. */
  after?(order: OrderDocument, outcome: StoreOutcome): Promise<void>;
}

/**
 * The real {@link MongoOrderStore} with hooks between the consumer's steps, and a count of the
 * writes the server acknowledged as new: an order's effect happened at most once when no id is
 * ever counted twice.
 */
export class HookedOrderStore extends MongoOrderStore {
  /** Acknowledged first writes, per order id. */
  readonly created = new Map<string, number>();
  hooks: InsertHooks = {};

  override async insertOnce(order: OrderDocument): Promise<StoreOutcome> {
    await this.hooks.before?.(order);
    const result = await super.insertOnce(order);
    if (result.outcome === 'created' || result.outcome === 'restored') {
      this.created.set(order._id, (this.created.get(order._id) ?? 0) + 1);
    }
    await this.hooks.after?.(order, result);
    return result;
  }
}
