import { describe, expect, it } from 'vitest';
import { InvocationDeadline } from '../../../lambda/shared/InvocationDeadline.js';

describe('InvocationDeadline', () => {
  const at = (clock: { now: number }) => () => clock.now;

  it('sets no limit before an invocation starts the clock', () => {
    expect(new InvocationDeadline().operationTimeoutMs()).toBeUndefined();
  });

  it('leaves the reserve for answering and counts down', () => {
    const clock = { now: 0 };
    const deadline = new InvocationDeadline({ reserveMs: 1_000, now: at(clock) });

    deadline.start({ getRemainingTimeInMillis: () => 3_000 });

    expect(deadline.operationTimeoutMs()).toBe(2_000);
    clock.now = 1_500;
    expect(deadline.operationTimeoutMs()).toBe(500);
  });

  it('gives an operation all the time left unless a cap is set', () => {
    const uncapped = new InvocationDeadline({ now: () => 0 });
    const capped = new InvocationDeadline({ maxOperationMs: 5_000, now: () => 0 });
    uncapped.start({ getRemainingTimeInMillis: () => 900_000 });
    capped.start({ getRemainingTimeInMillis: () => 900_000 });
    expect(uncapped.operationTimeoutMs()).toBe(899_000);
    expect(capped.operationTimeoutMs()).toBe(5_000);
  });

  it('fails fast once the deadline has passed', () => {
    const clock = { now: 0 };
    const deadline = new InvocationDeadline({ reserveMs: 1_000, now: at(clock) });
    deadline.start({ getRemainingTimeInMillis: () => 1_200 });
    clock.now = 10_000;
    expect(deadline.operationTimeoutMs()).toBe(1);
  });
});
