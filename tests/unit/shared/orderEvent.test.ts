import { describe, expect, it } from 'vitest';
import { InvalidOrderError } from '../../../lambda/shared/errors.js';
import { claimedOrderId, orderLimits, parseOrderEvent } from '../../../lambda/shared/orderEvent.js';
import { orderEventFactory } from '../../helpers/factories.js';

const parse = (body: Record<string, unknown>) => parseOrderEvent(JSON.stringify(body));

const rejectionOf = (body: string): InvalidOrderError => {
  try {
    parseOrderEvent(body);
  } catch (error) {
    if (error instanceof InvalidOrderError) return error;
    throw error;
  }
  throw new Error('expected the body to be rejected');
};

describe('OrderEvent contract', () => {
  it('accepts the legacy example body', () => {
    // Prepare
    const body =
      '{"order_id": "ORD-1001", "user_id": "U-42", "items": [{"item_id": "P1", "quantity": 2, "price": 25.0}], "total_amount": 50.0, "timestamp": "2024-01-01T11:00:00Z"}';

    // Act
    const order = parseOrderEvent(body);

    // Assess
    expect(order).toEqual({
      order_id: 'ORD-1001',
      user_id: 'U-42',
      items: [{ item_id: 'P1', quantity: 2, price: 25 }],
      total_amount: 50,
      timestamp: '2024-01-01T11:00:00Z',
    });
  });

  it('trims ids and strips unknown fields at every level', () => {
    const order = parse(
      orderEventFactory({
        order_id: '  ORD-1  ',
        _id: 'evil',
        status: 'PENDING',
        $where: '1',
        items: [{ item_id: 'P1', quantity: 1, price: 1, _id: 'x', __proto__: { polluted: true } }],
      }),
    );
    expect(order.order_id).toBe('ORD-1');
    expect(Object.keys(order).sort()).toEqual([
      'items',
      'order_id',
      'timestamp',
      'total_amount',
      'user_id',
    ]);
    expect(Object.keys(order.items[0] ?? {}).sort()).toEqual(['item_id', 'price', 'quantity']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['Z', '2024-01-01T10:00:00Z'],
    ['an offset', '2024-01-01T10:00:00+02:00'],
    ['fractional seconds', '2024-01-01T10:00:00.123456Z'],
    ['a leap day', '2024-02-29T00:00:00Z'],
  ])('accepts a timestamp with %s', (_, timestamp) => {
    expect(parse(orderEventFactory({ timestamp })).timestamp).toBe(timestamp);
  });

  it.each([
    ['four decimals', 0.0001],
    ['the largest amount', orderLimits.maxAmount],
    ['cents', 19.99],
  ])('accepts an amount with %s', (_, price) => {
    expect(
      parse(orderEventFactory({ items: [{ item_id: 'P', quantity: 1, price }] })).items[0]?.price,
    ).toBe(price);
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ['order_id missing', orderEventFactory({ order_id: undefined }), 'order_id'],
    ['user_id blank', orderEventFactory({ user_id: '   ' }), 'user_id'],
    ['order_id a number', orderEventFactory({ order_id: 1001 }), 'order_id'],
    ['order_id an operator object', orderEventFactory({ order_id: { $gt: '' } }), 'order_id'],
    ['order_id too long', orderEventFactory({ order_id: 'x'.repeat(129) }), 'order_id'],
    ['order_id with NUL', orderEventFactory({ order_id: 'ORD\u0000' }), 'order_id'],
    ['order_id with a lone surrogate', orderEventFactory({ order_id: 'ORD-\ud800' }), 'order_id'],
    ['order_id not NFC', orderEventFactory({ order_id: 'ORD-e\u0301' }), 'order_id'],
    ['items empty', orderEventFactory({ items: [] }), 'items'],
    ['items not an array', orderEventFactory({ items: {} }), 'items'],
    [
      'too many items',
      orderEventFactory({
        items: Array.from({ length: 101 }, () => ({ item_id: 'P', quantity: 1, price: 1 })),
      }),
      'items',
    ],
    [
      'quantity zero',
      orderEventFactory({ items: [{ item_id: 'P', quantity: 0, price: 1 }] }),
      'items[0].quantity',
    ],
    [
      'quantity fractional',
      orderEventFactory({ items: [{ item_id: 'P', quantity: 1.5, price: 1 }] }),
      'items[0].quantity',
    ],
    [
      'quantity unsafe',
      orderEventFactory({ items: [{ item_id: 'P', quantity: 2 ** 53, price: 1 }] }),
      'items[0].quantity',
    ],
    [
      'quantity a string',
      orderEventFactory({ items: [{ item_id: 'P', quantity: '1', price: 1 }] }),
      'items[0].quantity',
    ],
    [
      'price zero',
      orderEventFactory({ items: [{ item_id: 'P', quantity: 1, price: 0 }] }),
      'items[0].price',
    ],
    [
      'price negative',
      orderEventFactory({ items: [{ item_id: 'P', quantity: 1, price: -1 }] }),
      'items[0].price',
    ],
    [
      'price five decimals',
      orderEventFactory({ items: [{ item_id: 'P', quantity: 1, price: 0.00001 }] }),
      'items[0].price',
    ],
    [
      'price missing',
      orderEventFactory({ items: [{ item_id: 'P', quantity: 1 }] }),
      'items[0].price',
    ],
    [
      'total too large',
      orderEventFactory({ total_amount: orderLimits.maxAmount + 1 }),
      'total_amount',
    ],
    ['total negative zero', orderEventFactory({ total_amount: -0 }), 'total_amount'],
    [
      'timestamp without zone',
      orderEventFactory({ timestamp: '2024-01-01T10:00:00' }),
      'timestamp',
    ],
    ['timestamp impossible', orderEventFactory({ timestamp: '2024-02-30T10:00:00Z' }), 'timestamp'],
    ['timestamp a date only', orderEventFactory({ timestamp: '2024-01-01' }), 'timestamp'],
    ['timestamp epoch number', orderEventFactory({ timestamp: 1704103200 }), 'timestamp'],
  ];

  it.each(bad)('rejects %s, naming %s', (_, body, path) => {
    const error = rejectionOf(JSON.stringify(body));
    expect(error.issues.map((issue) => issue.path)).toContain(path);
  });

  it.each([
    ['malformed JSON', '{"order_id": ', 'body is not valid JSON'],
    ['a byte-order mark', `\ufeff${JSON.stringify(orderEventFactory())}`, 'body is not valid JSON'],
    ['an array', '[]', 'body must be a JSON object'],
    ['null', 'null', 'body must be a JSON object'],
    [
      'double-encoded JSON',
      JSON.stringify(JSON.stringify(orderEventFactory())),
      'body must be a JSON object',
    ],
    [
      '1e400 total',
      JSON.stringify(orderEventFactory()).replace('"total_amount":50', '"total_amount":1e400'),
      'Infinity',
    ],
    [
      'an oversized body',
      JSON.stringify(orderEventFactory({ pad: 'x'.repeat(orderLimits.maxBodyBytes) })),
      'larger than',
    ],
  ])('rejects %s', (_, body, message) => {
    const error = rejectionOf(body);
    expect(error.issues.map((issue) => issue.message).join(' ')).toContain(message);
  });

  it('reports one issue for an amount that is not positive', () => {
    const error = rejectionOf(
      JSON.stringify(orderEventFactory({ items: [{ item_id: 'P', quantity: 1, price: -1.5 }] })),
    );
    expect(error.issues).toEqual([{ path: 'items[0].price', message: 'must be greater than 0' }]);
  });

  it('names the expected and the received type of a wrong value', () => {
    const error = rejectionOf(
      JSON.stringify(
        orderEventFactory({ order_id: 1001, user_id: null, items: {}, total_amount: true }),
      ),
    );
    expect(error.issues).toEqual([
      { path: 'order_id', message: 'Invalid input: expected string, received number' },
      { path: 'user_id', message: 'Invalid input: expected string, received null' },
      { path: 'items', message: 'Invalid input: expected array, received object' },
      { path: 'total_amount', message: 'Invalid input: expected number, received boolean' },
    ]);
  });

  it('never echoes values in its messages', () => {
    const error = rejectionOf(
      JSON.stringify(orderEventFactory({ user_id: { secret: 'card-4111' } })),
    );
    expect(error.message).not.toContain('card-4111');
  });
});

describe('claimedOrderId', () => {
  it.each([
    ['{"order_id": " ORD-1 ", "items": []}', 'ORD-1'],
    ['{"order_id": 42}', undefined],
    ['{"order_id": "bad\\u0000id"}', undefined],
    ['{"order_id": "\\ud800"}', undefined],
    [`{"order_id": "${'x'.repeat(129)}"}`, undefined],
    ['not json', undefined],
    ['[]', undefined],
  ])('reads the id %s claims as %j', (body, expected) => {
    expect(claimedOrderId(body)).toBe(expected);
  });
});
