/** A message the `send` command plans to send, and why. */
export interface PlannedMessage {
  readonly kind: 'new' | 'invalid' | 'duplicate' | 'conflict';
  readonly body: string;
  /** The order it carries (absent for bodies without a readable id). */
  readonly orderId?: string;
  /** For invalid messages: what is wrong with it. */
  readonly defect?: string;
}

/** How many messages of each kind, and the run's id (it prefixes every `order_id`). */
export interface MessagePlanOptions {
  readonly count: number;
  readonly invalid: number;
  readonly duplicates: number;
  readonly conflicts: number;
  readonly runId: string;
  /** Uniform in [0, 1); replaceable for reproducible plans. */
  readonly random?: () => number;
}

interface OrderBody {
  order_id: string;
  user_id: string;
  items: { item_id: string; quantity: number; price: number }[];
  total_amount: number;
  timestamp: string;
}

const pick = (random: () => number, max: number): number => Math.floor(random() * max);

/** A valid order in the legacy contract; amounts in whole cents so the total is exact. */
export const generateOrder = (orderId: string, random: () => number = Math.random): OrderBody => {
  const items = Array.from({ length: 1 + pick(random, 3) }, (_, index) => ({
    item_id: `P${100 + pick(random, 900)}`,
    quantity: 1 + pick(random, 5),
    priceCents: 99 + pick(random, 20_000),
    index,
  }));
  const totalCents = items.reduce((sum, item) => sum + item.quantity * item.priceCents, 0);
  return {
    order_id: orderId,
    user_id: `U-${1 + pick(random, 500)}`,
    items: items.map((item) => ({
      item_id: item.item_id,
      quantity: item.quantity,
      price: item.priceCents / 100,
    })),
    total_amount: totalCents / 100,
    timestamp: new Date(Date.UTC(2024, 0, 1) + pick(random, 365 * 86_400) * 1000)
      .toISOString()
      .replace('.000Z', 'Z'),
  };
};

/**
 * Ways to break the contract, one per invalid message (cycling): each is what a real producer bug
 * looks like, so `npm run dlq -- list` has a variety of reasons to explain.
 */
const DEFECTS: readonly {
  readonly defect: string;
  readonly make: (order: OrderBody) => unknown;
}[] = [
  { defect: 'truncated JSON', make: (o) => JSON.stringify(o).slice(0, 40) },
  { defect: 'user_id missing', make: ({ user_id: _, ...rest }) => rest },
  { defect: 'no items', make: (o) => ({ ...o, items: [] }) },
  {
    defect: 'negative price',
    make: (o) => ({ ...o, items: o.items.map((item) => ({ ...item, price: -item.price })) }),
  },
  {
    defect: 'fractional quantity',
    make: (o) => ({ ...o, items: o.items.map((item) => ({ ...item, quantity: 1.5 })) }),
  },
  { defect: 'timestamp without zone', make: (o) => ({ ...o, timestamp: '2024-01-01T10:00:00' }) },
  {
    defect: 'total_amount as a string',
    make: (o) => ({ ...o, total_amount: String(o.total_amount) }),
  },
  { defect: 'array body', make: (o) => [o] },
  { defect: 'empty order_id', make: (o) => ({ ...o, order_id: '' }) },
  { defect: 'total_amount with 5 decimals', make: (o) => ({ ...o, total_amount: 10.12345 }) },
];

/**
 * The messages of one `send` run, in sending order: `count` new orders, `invalid` broken bodies
 * at random places, `duplicates` resends of earlier orders (same body, a later position), and
 * `conflicts` reuses of an earlier `order_id` with a different total. Every `order_id` starts with
 * `ORD-<runId>-`, so runs never collide.
 */
export const planMessages = (options: MessagePlanOptions): PlannedMessage[] => {
  const random = options.random ?? Math.random;
  const keyed: { key: number; message: PlannedMessage }[] = [];
  const originals: OrderBody[] = [];
  for (let index = 0; index < options.count; index++) {
    const order = generateOrder(`ORD-${options.runId}-${index + 1}`, random);
    originals.push(order);
    keyed.push({
      key: index,
      message: { kind: 'new', body: JSON.stringify(order), orderId: order.order_id },
    });
  }
  // A resend goes somewhere after its original, as a producer retry would.
  const after = (index: number) => index + 0.5 + random() * (options.count - index);
  for (let n = 0; n < options.duplicates; n++) {
    const index = pick(random, options.count);
    const order = originals[index] as OrderBody;
    keyed.push({
      key: after(index),
      message: { kind: 'duplicate', body: JSON.stringify(order), orderId: order.order_id },
    });
  }
  for (let n = 0; n < options.conflicts; n++) {
    const index = pick(random, options.count);
    const order = originals[index] as OrderBody;
    const changed = { ...order, total_amount: Math.round(order.total_amount * 100 + 100) / 100 };
    keyed.push({
      key: after(index),
      message: { kind: 'conflict', body: JSON.stringify(changed), orderId: order.order_id },
    });
  }
  for (let n = 0; n < options.invalid; n++) {
    const { defect, make } = DEFECTS[n % DEFECTS.length] as (typeof DEFECTS)[number];
    const orderId = `ORD-${options.runId}-invalid-${n + 1}`;
    const made = make(generateOrder(orderId, random));
    keyed.push({
      key: random() * Math.max(1, options.count),
      message: {
        kind: 'invalid',
        body: typeof made === 'string' ? made : JSON.stringify(made),
        orderId,
        defect,
      },
    });
  }
  return keyed.sort((a, b) => a.key - b.key).map(({ message }) => message);
};
