import { Long } from 'mongodb';
import type { OrderEvent } from './orderEvent.js';

/**
 * One stored line item. `price` is the number the producer sent, as the legacy service stored it
 * (its readers keep working); `price_micros` is the same amount exactly, in millionths (int64).
 */
export interface OrderItemDocument {
  item_id: string;
  quantity: number;
  price: number;
  price_micros: Long;
}

/**
 * An order as stored in `orders`: the legacy document (`_id` = `order_id`, readers query by `_id`
 * and `status`) plus the SQS message that created it.
 */
export interface OrderDocument {
  _id: string;
  user_id: string;
  items: OrderItemDocument[];
  /** As sent, for legacy readers. */
  total_amount: number;
  /** The exact amount in millionths (int64): sum and compare money with this. */
  total_amount_micros: Long;
  /** As the producer sent it (ISO-8601 with a zone), like the legacy service stored it. */
  timestamp: string;
  status: 'PROCESSED';
  created_at: Date;
  processed_at: Date;
  sqs_message_id: string;
}

/** The fields that carry an order's content (what `differingField` compares), as a projection. */
export const ORDER_CONTENT_PROJECTION = {
  user_id: 1,
  items: 1,
  total_amount: 1,
  total_amount_micros: 1,
  timestamp: 1,
} as const;

const MICROS_DIGITS = 6;

/**
 * The exact amount in millionths. The contract allows at most 4 decimals and 15 significant
 * digits, so the shortest decimal form of the double is exactly what the producer wrote, and
 * shifting its digits (not multiplying the double) gives the exact integer.
 */
export const toMicros = (value: number): Long => {
  const [units = '0', fraction = ''] = String(value).split('.');
  return Long.fromString(`${units}${fraction.padEnd(MICROS_DIGITS, '0')}`);
};

/**
 * Maps a valid event to the document to insert. Fields are listed one by one: nothing else from the
 * event can reach the database.
 */
export const toOrderDocument = (
  order: OrderEvent,
  source: { readonly messageId: string; readonly now: Date },
): OrderDocument => ({
  _id: order.order_id,
  user_id: order.user_id,
  items: order.items.map((item) => ({
    item_id: item.item_id,
    quantity: item.quantity,
    price: item.price,
    price_micros: toMicros(item.price),
  })),
  total_amount: order.total_amount,
  total_amount_micros: toMicros(order.total_amount),
  timestamp: order.timestamp,
  status: 'PROCESSED',
  created_at: source.now,
  processed_at: source.now,
  sqs_message_id: source.messageId,
});

// A stored number as text: plain numbers, and the Decimal128 or Long a reader may have written.
const textOf = (value: unknown): string =>
  typeof value === 'number' || (typeof value === 'object' && value !== null) ? String(value) : '';

/**
 * A stored amount in exact millionths: the document's `<field>_micros` (int64) where it has one,
 * else its legacy `<field>` (a number, or a reader's Decimal128) when written with at most 6
 * decimals. `undefined` when neither is such an amount: it then equals nothing.
 */
const storedMicros = (
  document: Readonly<Record<string, unknown>>,
  field: string,
): bigint | undefined => {
  const micros = textOf(document[`${field}_micros`]);
  if (/^\d+$/.test(micros)) return BigInt(micros);
  const units = /^(\d+)(?:\.(\d{1,6}))?$/.exec(textOf(document[field]));
  return units ? BigInt(`${units[1]}${(units[2] ?? '').padEnd(MICROS_DIGITS, '0')}`) : undefined;
};

const sameQuantity = (value: unknown, quantity: number): boolean =>
  (typeof value === 'object' && value !== null ? Number(String(value)) : value) === quantity;

// `<epoch seconds>[.<fraction>]`, the fraction's trailing zeros dropped: one text per instant.
const exactInstant = (seconds: number, fraction: string): string => {
  const digits = fraction.replace(/0+$/, '');
  return digits === '' ? String(seconds) : `${seconds}.${digits}`;
};

// The contract's form: seconds, an optional fraction of any length, a zone.
const ISO_DATE_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A timestamp as an exact instant, in one text whatever its spelling: `…00Z`, `…00.000Z` and
 * `…00+00:00` are one instant, `…00.0001Z` and `…00.0009Z` two (`Date.parse` would drop the
 * digits past the millisecond). Also reads a `Date` or another date string a legacy writer stored;
 * `undefined` for anything else.
 */
export const instantOf = (value: unknown): string | undefined => {
  if (value instanceof Date || typeof value === 'string') {
    const match = typeof value === 'string' ? ISO_DATE_TIME.exec(value) : null;
    if (match) {
      const seconds = Date.parse(`${match[1]}${match[3]}`) / 1000;
      return Number.isNaN(seconds) ? undefined : exactInstant(seconds, match[2] ?? '');
    }
    const ms = value instanceof Date ? value.getTime() : Date.parse(value);
    if (Number.isNaN(ms)) return undefined;
    return exactInstant(
      Math.floor(ms / 1000),
      String(((ms % 1000) + 1000) % 1000).padStart(3, '0'),
    );
  }
  return undefined;
};

/**
 * An order's content in one form: what makes two deliveries the same order, as
 * {@link differingField} judges it (money in millionths, the timestamp as an instant). Its hash is
 * what the idempotency record keeps, so the record and the orders collection never disagree.
 */
export const orderContent = (order: OrderDocument) => ({
  user_id: order.user_id,
  items: order.items.map((item) => [item.item_id, item.quantity, item.price_micros.toString()]),
  total_amount_micros: order.total_amount_micros.toString(),
  instant: instantOf(order.timestamp) ?? order.timestamp,
});

/**
 * Compares the order content of a stored document (ours, or the legacy service's with plain
 * numbers) with a new one. Returns the first field that differs, or `undefined` when they are the
 * same order. Money is compared exactly, in millionths; timestamps as instants. Bookkeeping fields
 * (status, dates, message id) are not content.
 */
export const differingField = (
  stored: Readonly<Record<string, unknown>>,
  incoming: OrderDocument,
): string | undefined => {
  if (stored.user_id !== incoming.user_id) return 'user_id';
  if (storedMicros(stored, 'total_amount') !== incoming.total_amount_micros.toBigInt()) {
    return 'total_amount';
  }
  const storedInstant = instantOf(stored.timestamp);
  if (storedInstant === undefined || storedInstant !== instantOf(incoming.timestamp)) {
    return 'timestamp';
  }
  const items = stored.items;
  if (!Array.isArray(items) || items.length !== incoming.items.length) return 'items';
  for (const [index, item] of incoming.items.entries()) {
    const other = items[index] as Record<string, unknown> | undefined;
    if (
      other === undefined ||
      other.item_id !== item.item_id ||
      !sameQuantity(other.quantity, item.quantity) ||
      storedMicros(other, 'price') !== item.price_micros.toBigInt()
    ) {
      return `items[${index}]`;
    }
  }
  return undefined;
};
