import { type ContractIssue, formatIssues, InvalidOrderError } from '../../lambda/shared/errors.js';
import { differingField, toOrderDocument } from '../../lambda/shared/orderDocument.js';
import { claimedOrderId, parseOrderEvent } from '../../lambda/shared/orderEvent.js';

/**
 * Why a message is in the DLQ: as the consumer attached it, or recomputed from its body (and the
 * stored order, when readable) for a message the queue's redrive moved.
 */
export type DeadLetterExplanation =
  /** The consumer's reason code and words, from the message's attributes. */
  | {
      readonly reason: 'attached';
      readonly code: string;
      readonly detail: string;
      readonly orderId?: string;
    }
  /** The body breaks the contract: no delivery can succeed. */
  | {
      readonly reason: 'invalid-order';
      readonly orderId?: string;
      readonly issues: readonly ContractIssue[];
    }
  /** Another order with this `order_id` is stored: it is never overwritten. */
  | { readonly reason: 'order-conflict'; readonly orderId: string; readonly field: string }
  /** The same order is stored: a copy that ran out of receives while another was processed. */
  | { readonly reason: 'already-stored'; readonly orderId: string }
  /** A valid order that is not stored: it failed for a passing reason (database down, timeout). */
  | { readonly reason: 'not-stored'; readonly orderId: string }
  /** A valid order; the database was not available to tell the cases above apart. */
  | { readonly reason: 'valid-unchecked'; readonly orderId: string };

/** Reads the stored order with this `_id` (`null` when there is none). */
export type StoredOrderLookup = (orderId: string) => Promise<Record<string, unknown> | null>;

/**
 * Explains a DLQ message with the consumer's own rules: the contract (`parseOrderEvent`) first,
 * then, for a valid order, the stored document compared as the consumer compares it
 * (`differingField`). Without `lookup` a valid order is `valid-unchecked`.
 */
export const explainDeadLetter = async (
  body: string,
  lookup?: StoredOrderLookup,
): Promise<DeadLetterExplanation> => {
  let order: ReturnType<typeof parseOrderEvent>;
  try {
    order = parseOrderEvent(body);
  } catch (error) {
    if (!(error instanceof InvalidOrderError)) throw error;
    const orderId = claimedOrderId(body);
    return {
      reason: 'invalid-order',
      ...(orderId === undefined ? {} : { orderId }),
      issues: error.issues,
    };
  }
  const orderId = order.order_id;
  if (lookup === undefined) return { reason: 'valid-unchecked', orderId };
  const stored = await lookup(orderId);
  if (stored === null) return { reason: 'not-stored', orderId };
  const field = differingField(stored, toOrderDocument(order, { messageId: '', now: new Date(0) }));
  return field === undefined
    ? { reason: 'already-stored', orderId }
    : { reason: 'order-conflict', orderId, field };
};

// What an operator does about each poison reason.
const ADVICE: Readonly<Record<string, string>> = {
  'invalid-order': ' (fix the producer; redriving cannot help)',
  'order-conflict': ' (never overwritten; settle it with the producer)',
};

/** One line saying what the explanation means for an operator. */
export const describeExplanation = (explanation: DeadLetterExplanation): string => {
  switch (explanation.reason) {
    case 'attached':
      return `${explanation.code}: ${explanation.detail}${ADVICE[explanation.code] ?? ''}`;
    case 'invalid-order':
      return `invalid-order: ${formatIssues(explanation.issues)}${ADVICE['invalid-order']}`;
    case 'order-conflict':
      return `order-conflict: ${explanation.orderId} is stored with a different ${explanation.field}${ADVICE['order-conflict']}`;
    case 'already-stored':
      return `already-stored: ${explanation.orderId} is stored with this content (a copy that ran out of receives; safe to purge or redrive)`;
    case 'not-stored':
      return `not-stored: valid, but ${explanation.orderId} is not stored (it failed for a passing reason, e.g. MongoDB down; redrive it)`;
    case 'valid-unchecked':
      return `valid order ${explanation.orderId}: cannot tell a conflict from a passing failure without MongoDB (set MONGO_URI)`;
  }
};
