import { describe, expect, it } from 'vitest';
import { InvocationDeadline } from '../../../lambda/shared/InvocationDeadline.js';

describe('InvocationDeadline', () => {
  const at = (clock: { now: number }) => () => clock.now;

  it('leaves the reserve for answering and caps each operation', () => {
    const clock = { now: 0 };
    const deadline = new InvocationDeadline({
      reserveMs: 1_000,
      maxOperationMs: 5_000,
      now: at(clock),
    });

    deadline.start({ getRemainingTimeInMillis: () => 3_000 });

    expect(deadline.operationTimeoutMs()).toBe(2_000);
    clock.now = 1_500;
    expect(deadline.operationTimeoutMs()).toBe(500);
  });

  it('caps an operation when plenty of time is left', () => {
    const deadline = new InvocationDeadline({ maxOperationMs: 5_000, now: () => 0 });
    deadline.start({ getRemainingTimeInMillis: () => 900_000 });
    expect(deadline.operationTimeoutMs()).toBe(5_000);
  });

  it('fails fast once the deadline has passed', () => {
    const clock = { now: 0 };
    const deadline = new InvocationDeadline({ reserveMs: 1_000, now: at(clock) });
    deadline.start({ getRemainingTimeInMillis: () => 1_200 });
    clock.now = 10_000;
    expect(deadline.operationTimeoutMs()).toBe(1);
  });
});
