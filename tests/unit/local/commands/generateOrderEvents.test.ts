import { describe, expect, it } from 'vitest';
import { parseOrderEvent } from '../../../../lambda/shared/orderEvent.js';
import { planMessages } from '../../../../local/commands/generateOrderEvents.js';

// A small deterministic generator, so a failing plan can be replayed.
const seeded = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};

const isValid = (body: string): boolean => {
  try {
    parseOrderEvent(body);
    return true;
  } catch {
    return false;
  }
};

describe('planMessages', () => {
  it('plans each kind in the numbers asked for', () => {
    // Act
    const plan = planMessages({
      count: 100,
      invalid: 25,
      duplicates: 30,
      conflicts: 5,
      runId: 'r1',
      random: seeded(1),
    });

    // Assess
    const count = (kind: string) => plan.filter((message) => message.kind === kind).length;
    expect(plan).toHaveLength(160);
    expect([count('new'), count('invalid'), count('duplicate'), count('conflict')]).toEqual([
      100, 25, 30, 5,
    ]);
  });

  it('makes every new order valid under the contract, with a unique id of the run', () => {
    // Act
    const plan = planMessages({
      count: 200,
      invalid: 0,
      duplicates: 0,
      conflicts: 0,
      runId: 'r2',
      random: seeded(2),
    });

    // Assess
    expect(plan.every((message) => isValid(message.body))).toBe(true);
    const ids = plan.map((message) => parseOrderEvent(message.body).order_id);
    expect(new Set(ids).size).toBe(200);
    expect(ids.every((id) => id.startsWith('ORD-r2-'))).toBe(true);
  });

  it('makes every invalid message fail the contract', () => {
    // Act
    const plan = planMessages({
      count: 5,
      invalid: 20,
      duplicates: 0,
      conflicts: 0,
      runId: 'r3',
      random: seeded(3),
    });

    // Assess
    const invalid = plan.filter((message) => message.kind === 'invalid');
    expect(invalid.filter((message) => isValid(message.body))).toEqual([]);
    expect(new Set(invalid.map((message) => message.defect)).size).toBe(10);
  });

  it('sends a duplicate after its original, with the same body', () => {
    // Act
    const plan = planMessages({
      count: 50,
      invalid: 0,
      duplicates: 40,
      conflicts: 0,
      runId: 'r4',
      random: seeded(4),
    });

    // Assess
    plan.forEach((message, position) => {
      if (message.kind !== 'duplicate') return;
      const original = plan.findIndex(
        (other) => other.kind === 'new' && other.orderId === message.orderId,
      );
      expect(original).toBeLessThan(position);
      expect(plan[original]?.body).toBe(message.body);
    });
  });

  it('gives a conflict the id of an earlier order and a different total', () => {
    // Act
    const plan = planMessages({
      count: 10,
      invalid: 0,
      duplicates: 0,
      conflicts: 5,
      runId: 'r5',
      random: seeded(5),
    });

    // Assess
    for (const conflict of plan.filter((message) => message.kind === 'conflict')) {
      const original = plan.find(
        (other) => other.kind === 'new' && other.orderId === conflict.orderId,
      );
      expect(isValid(conflict.body)).toBe(true);
      expect(parseOrderEvent(conflict.body).total_amount).not.toBe(
        parseOrderEvent(original?.body ?? '').total_amount,
      );
    }
  });
});
