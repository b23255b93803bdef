import * as z from 'zod/mini';
import { type ContractIssue, InvalidOrderError } from './errors.js';

/** Limits of the contract, exported so tests, fixtures and the DLQ tool use the same numbers. */
export const orderLimits = {
  /** Longest id (`order_id`, `user_id`, `item_id`) in UTF-16 code units, after trimming. */
  maxIdLength: 128,
  /** Most line items in one order. */
  maxItems: 100,
  /** Largest quantity of one line item. */
  maxQuantity: 100_000,
  /** Largest price or total; with 4 decimals amounts keep within 14 significant digits, and
   *  their millionths within a safe integer. */
  maxAmount: 1_000_000_000,
  /** Most decimal places in an amount (ISO 4217 currencies use at most 4). */
  maxAmountDecimals: 4,
  /** Largest message body accepted, in UTF-8 bytes. */
  maxBodyBytes: 128 * 1024,
} as const;

// zod/mini loads no locale: without one, a type error reads "Invalid input". Every other issue the
// contract can raise carries its own message (below), so only type errors need words: those classic
// zod's English locale gave them ("Invalid input: expected string, received number"), which
// rejections report and the DLQ tool shows. The locale would cost 3 KB of the bundle and
// `z.util.parsedType` all of zod's utilities, hence this copy of both for `invalid_type`. The
// setting is global to zod; this contract is its one user.
const receivedType = (input: unknown): string => {
  if (typeof input === 'number') return Number.isFinite(input) ? 'number' : String(input);
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'array';
  if (typeof input === 'object' && Object.getPrototypeOf(input) !== Object.prototype) {
    return input.constructor?.name ?? 'object';
  }
  return typeof input;
};
z.config({
  localeError: (issue) =>
    issue.code === 'invalid_type'
      ? `Invalid input: expected ${issue.expected}, received ${receivedType(issue.input)}`
      : undefined,
});

// C0 and C1 control characters, DEL included.
const CONTROL_CHARACTER = /\p{Cc}/u;
const AMOUNT_DIGITS = new RegExp(`^\\d+(\\.\\d{1,${orderLimits.maxAmountDecimals}})?$`);

const id = z.string().check(
  z.trim(),
  z.minLength(1, 'must not be empty'),
  z.maxLength(orderLimits.maxIdLength, `must be at most ${orderLimits.maxIdLength} characters`),
  // A lone surrogate is replaced by U+FFFD when BSON encodes it, so two different ids would collide.
  z.refine((value) => value.isWellFormed(), 'must be well-formed Unicode (no lone surrogates)'),
  z.refine((value) => !CONTROL_CHARACTER.test(value), 'must not contain control characters'),
  // Canonically equivalent spellings must not become two orders, nor one be stored under a
  // spelling its producer would not look it up by: only the NFC form is accepted.
  z.refine((value) => value === value.normalize('NFC'), 'must be in Unicode normalisation form C'),
);

/**
 * A positive amount of money. JSON numbers are binary doubles; an amount with at most 4 decimals
 * and at most 14 significant digits round-trips exactly through its shortest decimal form, from
 * which the exact integer millionths are stored.
 */
// `abort`: an amount that is not positive gets that one issue, not a decimals complaint on top.
const amount = z.number().check(
  z.refine((value) => Number.isFinite(value), { error: 'must be a finite number', abort: true }),
  z.refine((value) => value > 0, { error: 'must be greater than 0', abort: true }),
  z.refine((value) => value <= orderLimits.maxAmount, {
    error: `must be at most ${orderLimits.maxAmount}`,
    abort: true,
  }),
  z.refine(
    (value) => AMOUNT_DIGITS.test(String(value)),
    `must have at most ${orderLimits.maxAmountDecimals} decimal places`,
  ),
);

/** One line of an order. Unknown keys are stripped. */
export const OrderItem = z.object({
  item_id: id,
  quantity: z
    .number()
    .check(
      z.int('must be a whole number'),
      z.gte(1, 'must be at least 1'),
      z.lte(orderLimits.maxQuantity, `must be at most ${orderLimits.maxQuantity}`),
    ),
  price: amount,
});

/**
 * The order event producers send as the SQS message body: the legacy contract, tightened. Unknown
 * keys, at any level, are stripped: legacy producers may send extra fields, and nothing but the
 * fields below can reach the database.
 */
export const OrderEvent = z.object({
  order_id: id,
  user_id: id,
  items: z
    .array(OrderItem)
    .check(
      z.minLength(1, 'must contain at least one item'),
      z.maxLength(orderLimits.maxItems, `must contain at most ${orderLimits.maxItems} items`),
    ),
  total_amount: amount,
  timestamp: z.iso.datetime({
    offset: true,
    message: 'must be an ISO-8601 date-time with a zone (Z or ±hh:mm), e.g. 2024-01-01T10:00:00Z',
  }),
});

/** A valid order event, as the consumer uses it. */
export type OrderEvent = z.infer<typeof OrderEvent>;

const MAX_ISSUES = 10;

const issuePath = (path: readonly PropertyKey[]): string =>
  path
    .map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`))
    .join('')
    .replace(/^\./, '');

/**
 * Parses a raw SQS message body into an {@link OrderEvent}.
 *
 * @throws {InvalidOrderError} with the JSON paths of the problems, never the values.
 */
export const parseOrderEvent = (body: string): OrderEvent => {
  if (Buffer.byteLength(body, 'utf8') > orderLimits.maxBodyBytes) {
    throw new InvalidOrderError([
      { path: '', message: `body is larger than ${orderLimits.maxBodyBytes} bytes` },
    ]);
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new InvalidOrderError([{ path: '', message: 'body is not valid JSON' }]);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidOrderError([{ path: '', message: 'body must be a JSON object' }]);
  }
  const result = OrderEvent.safeParse(json);
  if (result.success) return result.data;
  const issues: ContractIssue[] = result.error.issues
    .slice(0, MAX_ISSUES)
    .map((issue) => ({ path: issuePath(issue.path), message: issue.message }));
  throw new InvalidOrderError(issues);
};

// Characters an SQS message attribute may carry: no control characters but tab and line breaks,
// no lone surrogates.
const ATTRIBUTE_SAFE = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

/**
 * The `order_id` a body claims, whether or not the body is valid, for telling people which order
 * a rejected message was about: a string of 1 to 128 characters, trimmed, printable. `undefined`
 * when the body has no such id.
 */
export const claimedOrderId = (body: string): string | undefined => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const id = (parsed as { order_id?: unknown } | null)?.order_id;
  if (typeof id !== 'string') return undefined;
  const trimmed = id.trim();
  return trimmed.length >= 1 &&
    trimmed.length <= orderLimits.maxIdLength &&
    trimmed.isWellFormed() &&
    ATTRIBUTE_SAFE.test(trimmed)
    ? trimmed
    : undefined;
};
