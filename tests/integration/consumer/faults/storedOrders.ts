import { createHash } from 'node:crypto';
import type { Db } from 'mongodb';
import { configDefaults } from '../../../../lambda/shared/config.js';

/**
 * The idempotency record's key for an order, as Powertools derives it: the configured prefix
 * (`order`) and the MD5 of the JSON of the `order_id` the event key path selects.
 */
export const idempotencyKeyOf = (orderId: string): string =>
  `order#${createHash('md5').update(JSON.stringify(orderId)).digest('base64')}`;

/** What the database holds for one order. */
export interface StoredOrder {
  /** Documents with this `_id` (0 or 1: `_id` is unique). */
  readonly documents: number;
  /** The message id of the delivery whose write is stored. */
  readonly writtenBy: string | undefined;
  /** Status of the order's idempotency record, if any. */
  readonly idempotency: string | undefined;
}

/** Reads, straight from the database (never through a fault proxy), what each order left. */
export const readStoredOrders = async (
  db: Db,
  orderIds: readonly string[],
): Promise<Map<string, StoredOrder>> => {
  const orders = await db
    .collection<{ _id: string; sqs_message_id?: string }>(configDefaults.ORDERS_COLLECTION)
    .find({ _id: { $in: [...orderIds] } })
    .toArray();
  const keys = new Map(orderIds.map((id) => [idempotencyKeyOf(id), id]));
  const records = await db
    .collection<{ _id: string; status: string }>(configDefaults.IDEMPOTENCY_COLLECTION)
    .find({ _id: { $in: [...keys.keys()] } })
    .toArray();
  const statusOf = new Map(records.map((record) => [keys.get(record._id), record.status]));
  return new Map(
    orderIds.map((id) => {
      const matching = orders.filter((order) => order._id === id);
      return [
        id,
        {
          documents: matching.length,
          writtenBy: matching[0]?.sqs_message_id,
          idempotency: statusOf.get(id),
        },
      ];
    }),
  );
};
