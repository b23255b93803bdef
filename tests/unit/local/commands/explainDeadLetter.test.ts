import { describe, expect, it } from 'vitest';
import { toOrderDocument } from '../../../../lambda/shared/orderDocument.js';
import { parseOrderEvent } from '../../../../lambda/shared/orderEvent.js';
import {
  describeExplanation,
  explainDeadLetter,
  type StoredOrderLookup,
} from '../../../../local/commands/explainDeadLetter.js';
import { orderEventFactory } from '../../../helpers/factories.js';

const storedAs = (body: string): StoredOrderLookup => {
  const document = toOrderDocument(parseOrderEvent(body), { messageId: 'm', now: new Date() });
  return async (orderId) =>
    orderId === document._id ? (document as unknown as Record<string, unknown>) : null;
};

describe('explainDeadLetter', () => {
  it('recomputes the contract issues of an invalid body, with the id it claims', async () => {
    // Prepare
    const body = JSON.stringify(orderEventFactory({ order_id: 'ORD-7', items: [] }));

    // Act
    const explanation = await explainDeadLetter(body);

    // Assess
    expect(explanation).toEqual({
      reason: 'invalid-order',
      orderId: 'ORD-7',
      issues: [{ path: 'items', message: 'must contain at least one item' }],
    });
    expect(describeExplanation(explanation)).toContain('items: must contain at least one item');
  });

  it('explains a body that is not JSON', async () => {
    // Act
    const explanation = await explainDeadLetter('{"order_id": "ORD-');

    // Assess
    expect(explanation).toEqual({
      reason: 'invalid-order',
      issues: [{ path: '', message: 'body is not valid JSON' }],
    });
  });

  it('recognises a conflict by comparing with the stored order', async () => {
    // Prepare
    const stored = JSON.stringify(orderEventFactory({ order_id: 'ORD-8', total_amount: 50 }));
    const incoming = JSON.stringify(
      orderEventFactory({
        order_id: 'ORD-8',
        total_amount: 60,
        items: [{ item_id: 'P1', quantity: 2, price: 30 }],
      }),
    );

    // Act
    const explanation = await explainDeadLetter(incoming, storedAs(stored));

    // Assess
    expect(explanation).toEqual({
      reason: 'order-conflict',
      orderId: 'ORD-8',
      field: 'total_amount',
    });
  });

  it('tells an order already stored with the same content from one not stored', async () => {
    // Prepare
    const body = JSON.stringify(orderEventFactory({ order_id: 'ORD-9' }));
    const other = JSON.stringify(orderEventFactory({ order_id: 'ORD-10' }));

    // Act
    const same = await explainDeadLetter(body, storedAs(body));
    const missing = await explainDeadLetter(other, storedAs(body));

    // Assess
    expect(same).toEqual({ reason: 'already-stored', orderId: 'ORD-9' });
    expect(missing).toEqual({ reason: 'not-stored', orderId: 'ORD-10' });
  });

  it('says a valid order cannot be checked without the database', async () => {
    // Act
    const explanation = await explainDeadLetter(
      JSON.stringify(orderEventFactory({ order_id: 'ORD-11' })),
    );

    // Assess
    expect(explanation).toEqual({ reason: 'valid-unchecked', orderId: 'ORD-11' });
    expect(describeExplanation(explanation)).toContain('MONGO_URI');
  });
});
