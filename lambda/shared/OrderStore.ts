import type { OrderDocument } from './orderDocument.js';

/**
 * What became of an order write:
 * - `created`: this call stored it;
 * - `already-stored`: a document with the same content was there (an earlier delivery, a resend,
 *   or the legacy service); `existingStatus` is its `status`;
 * - `restored`: an earlier delivery had stored it, but its document was gone (deleted by an
 *   operator, or a reset test database), so this call stored it again.
 */
export type StoreOutcome =
  | { readonly outcome: 'created' | 'restored' }
  | { readonly outcome: 'already-stored'; readonly existingStatus: unknown };

/**
 * Where orders live. The orders collection is the truth: a document is inserted once and never
 * overwritten, whatever the idempotency records say.
 */
export interface OrderStore {
  /**
   * Inserts the order unless a document with its `_id` exists.
   *
   * @throws {OrderConflictError} when the existing document holds a different order.
   */
  insertOnce(order: OrderDocument): Promise<StoreOutcome>;
  /**
   * For an order the idempotency records say was stored: reads its document, and stores the order
   * again (`restored`) when it is gone.
   *
   * @throws {OrderConflictError} when the stored document holds a different order.
   */
  ensureStored(order: OrderDocument): Promise<StoreOutcome>;
}
