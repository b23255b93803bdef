import type { Db } from 'mongodb';
import { expect } from 'vitest';
import { readStoredOrders } from './storedOrders.js';

/**
 * The end state every scenario must reach: each order stored in exactly one document, its
 * idempotency record COMPLETED, and no order acknowledged as newly written more than once across
 * all the consumers that handled it.
 */
export const expectEachStoredOnce = async (
  db: Db,
  orderIds: readonly string[],
  acknowledgedWrites: readonly ReadonlyMap<string, number>[] = [],
): Promise<void> => {
  const stored = await readStoredOrders(db, orderIds);
  const notOnce = orderIds.filter((id) => {
    const order = stored.get(id);
    return order?.documents !== 1 || order.idempotency !== 'COMPLETED';
  });
  expect(notOnce.map((id) => ({ id, ...stored.get(id) }))).toEqual([]);
  const writtenTwice = orderIds.filter(
    (id) => acknowledgedWrites.reduce((sum, writes) => sum + (writes.get(id) ?? 0), 0) > 1,
  );
  expect(writtenTwice).toEqual([]);
};
