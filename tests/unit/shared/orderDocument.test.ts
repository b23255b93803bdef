import { Long } from 'mongodb';
import { describe, expect, it } from 'vitest';
import {
  differingField,
  instantOf,
  orderContent,
  toMicros,
  toOrderDocument,
} from '../../../lambda/shared/orderDocument.js';
import { parseOrderEvent } from '../../../lambda/shared/orderEvent.js';
import { orderEventFactory } from '../../helpers/factories.js';

const now = new Date('2024-01-01T11:00:05Z');
const documentOf = (overrides: Record<string, unknown> = {}) =>
  toOrderDocument(
    parseOrderEvent(JSON.stringify(orderEventFactory({ order_id: 'ORD-1', ...overrides }))),
    {
      messageId: 'msg-1',
      now,
    },
  );

describe('toMicros', () => {
  it.each([
    [25, '25000000'],
    [19.99, '19990000'],
    [0.1, '100000'],
    [0.0001, '100'],
    [1_000_000_000, '1000000000000000'],
    [123_456_789.1234, '123456789123400'],
  ])('turns %d into exactly %s millionths', (amount, micros) => {
    expect(toMicros(amount).toString()).toBe(micros);
  });
});

describe('toOrderDocument', () => {
  it('maps the event field by field, with bookkeeping', () => {
    expect(documentOf()).toEqual({
      _id: 'ORD-1',
      user_id: 'U-42',
      items: [{ item_id: 'P1', quantity: 2, price: 25, price_micros: Long.fromNumber(25_000_000) }],
      total_amount: 50,
      total_amount_micros: Long.fromNumber(50_000_000),
      timestamp: '2024-01-01T11:00:00Z',
      status: 'PROCESSED',
      created_at: now,
      processed_at: now,
      sqs_message_id: 'msg-1',
    });
  });
});

describe('differingField', () => {
  const legacy = {
    _id: 'ORD-1',
    user_id: 'U-42',
    items: [{ item_id: 'P1', quantity: 2, price: 25.0 }],
    total_amount: 50.0,
    timestamp: '2024-01-01T11:00:00Z',
    status: 'PENDING',
  };

  it('sees a legacy document with the same content as the same order', () => {
    expect(differingField(legacy, documentOf())).toBeUndefined();
  });

  it('compares timestamps as instants', () => {
    expect(
      differingField({ ...legacy, timestamp: new Date('2024-01-01T11:00:00Z') }, documentOf()),
    ).toBeUndefined();
    expect(
      differingField(legacy, documentOf({ timestamp: '2024-01-01T12:00:00+01:00' })),
    ).toBeUndefined();
  });

  it('compares instants to the last digit written, past the millisecond', () => {
    const at = (timestamp: string) => ({ ...legacy, timestamp });
    expect(
      differingField(
        at('2024-01-01T11:00:00.0001Z'),
        documentOf({ timestamp: '2024-01-01T11:00:00.0009Z' }),
      ),
    ).toBe('timestamp');
    expect(
      differingField(
        at('2024-01-01T11:00:00.00010Z'),
        documentOf({ timestamp: '2024-01-01T11:00:00.0001Z' }),
      ),
    ).toBeUndefined();
  });

  it.each([
    ['user_id', { user_id: 'U-1' }],
    ['total_amount', { total_amount: 50.01 }],
    ['timestamp', { timestamp: '2024-01-01T11:00:01Z' }],
    ['items', { items: [] }],
    ['items[0]', { items: [{ item_id: 'P1', quantity: 3, price: 25 }] }],
    ['items[0]', { items: [{ item_id: 'P2', quantity: 2, price: 25 }] }],
  ])('names %s when it differs', (field, change) => {
    expect(differingField({ ...legacy, ...change }, documentOf())).toBe(field);
  });
});

describe('instantOf', () => {
  it.each([
    ['2024-01-01T11:00:00Z', '1704106800'],
    ['2024-01-01T11:00:00.000Z', '1704106800'],
    ['2024-01-01T11:00:00+00:00', '1704106800'],
    ['2024-01-01T12:30:00.5+01:30', '1704106800.5'],
    ['2024-01-01T11:00:00.123456789Z', '1704106800.123456789'],
    ['1969-12-31T23:59:59.5Z', '-1.5'],
  ])('reads %s as %s', (timestamp, instant) => {
    expect(instantOf(timestamp)).toBe(instant);
  });

  it('reads a stored Date as the same instant as its text', () => {
    for (const text of ['2024-01-01T11:00:00.250Z', '1969-12-31T23:59:59.5Z']) {
      expect(instantOf(new Date(text))).toBe(instantOf(text));
    }
  });

  it('has no instant for what is not a date', () => {
    expect([instantOf('yesterday'), instantOf(1704106800), instantOf(null)]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('orderContent', () => {
  it('is one value for every spelling of the same order', () => {
    const spellings = [
      '2024-01-01T11:00:00Z',
      '2024-01-01T11:00:00.000Z',
      '2024-01-01T12:00:00+01:00',
    ];
    const contents = spellings.map((timestamp) => orderContent(documentOf({ timestamp })));
    expect(new Set(contents.map((content) => JSON.stringify(content))).size).toBe(1);
  });
});
