import { type PlannedMessage, planMessages } from '../commands/generateOrderEvents.js';

/** What a chaos run sends: the shares of the command line, turned into counts. */
export interface ChaosMessageCounts {
  /** Messages in all. */
  readonly total: number;
  /** New valid orders, each with its own `order_id`. */
  readonly unique: number;
  /** Resends of those orders (same content; some reformatted, as producers do). */
  readonly duplicates: number;
  /** Bodies breaking the contract. */
  readonly invalid: number;
  /** Earlier `order_id`s with other content: one of the two versions can never be stored. */
  readonly conflicts: number;
}

/** A planned message; `content` names the order version it carries, for the invariant check. */
export interface ChaosMessage extends PlannedMessage {
  /** `<order_id>#original` or `<order_id>#conflict`; absent for invalid bodies. */
  readonly content?: string;
}

// One in five of the "invalid" share is a conflict: the other way a message can never be stored.
const CONFLICT_SHARE_OF_INVALID = 0.2;

/** Turns `--orders`, `--duplicates` and `--invalid` into counts that add up to `--orders`. */
export const chaosMessageCounts = (
  orders: number,
  duplicateShare: number,
  invalidShare: number,
): ChaosMessageCounts => {
  const duplicates = Math.round(orders * duplicateShare);
  const rejected = Math.round(orders * invalidShare);
  const conflicts = Math.round(rejected * CONFLICT_SHARE_OF_INVALID);
  const unique = orders - duplicates - rejected;
  if (unique < 1) {
    throw new RangeError('--duplicates and --invalid leave no new orders to send');
  }
  return { total: orders, unique, duplicates, invalid: rejected - conflicts, conflicts };
};

/**
 * Producers resend in other spellings: reformatted, with extra fields, with spaces around the
 * id. None may become a second order.
 */
const respell = (body: string, random: () => number): string => {
  const order = JSON.parse(body) as Record<string, unknown>;
  const choice = Math.floor(random() * 4);
  if (choice === 1) {
    const reversed = Object.fromEntries(Object.entries(order).reverse());
    return JSON.stringify(reversed, null, 2);
  }
  if (choice === 2)
    return JSON.stringify({ ...order, resent: true, trace_id: random().toString(36).slice(2) });
  if (choice === 3) return JSON.stringify({ ...order, order_id: ` ${String(order.order_id)}\t` });
  return body;
};

/**
 * The messages of one chaos run, in sending order, from the seeded `random`: the `send` command's
 * plan (shuffled new orders, resends after their original, conflicts, broken bodies) with the
 * resends respelled.
 */
export const planChaosMessages = (
  counts: ChaosMessageCounts,
  runId: string,
  random: () => number,
): ChaosMessage[] =>
  planMessages({
    count: counts.unique,
    duplicates: counts.duplicates,
    invalid: counts.invalid,
    conflicts: counts.conflicts,
    runId,
    random,
  }).map((message) => {
    if (message.kind === 'invalid') return message;
    const content = `${message.orderId}#${message.kind === 'conflict' ? 'conflict' : 'original'}`;
    if (message.kind === 'duplicate')
      return { ...message, body: respell(message.body, random), content };
    return { ...message, content };
  });
