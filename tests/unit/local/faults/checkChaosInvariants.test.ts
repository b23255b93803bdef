import { describe, expect, it } from 'vitest';
import {
  type ChaosObservations,
  checkChaosInvariants,
  type StoredOrderContent,
} from '../../../../local/faults/checkChaosInvariants.js';
import {
  type ChaosMessage,
  chaosMessageCounts,
  planChaosMessages,
} from '../../../../local/faults/planChaosMessages.js';
import { seededRandom } from '../../../../local/faults/seededRandom.js';

const plan = (seed: string) =>
  planChaosMessages(chaosMessageCounts(200, 0.2, 0.1), `t${seed}`, seededRandom(seed));

/** The end state of a perfect run: every valid order stored as sent, the rest in the DLQ. */
const perfect = (messages: readonly ChaosMessage[]): ChaosObservations => ({
  messages,
  stored: messages
    .filter((m) => m.kind === 'new')
    .map(
      (m) => ({ _id: String(m.orderId), ...(JSON.parse(m.body) as object) }) as StoredOrderContent,
    ),
  unfinishedClaims: 0,
  deadLetterBodies: messages
    .filter((m) => m.kind === 'invalid' || m.kind === 'conflict')
    .map((m) => m.body),
  leftOnQueue: 0,
  createdWrites: messages.filter((m) => m.kind === 'new').length,
  internalErrors: 0,
});

describe('chaos plan and invariant check', () => {
  it('plans the same messages for the same seed, and other ones for another seed', () => {
    expect(plan('7').map((m) => m.body)).toEqual(plan('7').map((m) => m.body));
    expect(plan('7').map((m) => m.body)).not.toEqual(plan('8').map((m) => m.body));
  });

  it('splits --orders into counts that add up, one in five never-storable messages a conflict', () => {
    expect(chaosMessageCounts(10_000, 0.2, 0.05)).toEqual({
      total: 10_000,
      unique: 7_500,
      duplicates: 2_000,
      invalid: 400,
      conflicts: 100,
    });
  });

  it('finds no violation in a perfect end state', () => {
    expect(checkChaosInvariants(perfect(plan('1'))).violations).toEqual([]);
  });

  it('reports a lost order, a second spelling of an id, a valid message in the DLQ and a leftover claim', () => {
    // Prepare
    const messages = plan('2');
    const observed = perfect(messages);
    const [lost, aliased] = observed.stored;
    const valid = messages.find((m) => m.kind === 'new' && m.orderId !== lost?._id);

    // Act
    const verdict = checkChaosInvariants({
      ...observed,
      stored: [
        ...observed.stored.filter((document) => document !== lost),
        { ...(aliased as StoredOrderContent), _id: ` ${aliased?._id}` },
      ],
      deadLetterBodies: [...observed.deadLetterBodies, valid?.body ?? ''],
      unfinishedClaims: 1,
    });

    // Assess
    expect(verdict).toMatchObject({
      lost: 1,
      storedTwice: 1,
      validInDeadLetterQueue: 1,
      unfinishedClaims: 1,
    });
    expect(verdict.violations).toHaveLength(4);
  });

  it('fails a run in which the consumer took a fault for an internal error', () => {
    // Prepare
    const messages = plan('11');

    // Act
    const verdict = checkChaosInvariants({ ...perfect(messages), internalErrors: 2 });

    // Assess
    expect(verdict.violations).toEqual(['records failed as internal errors: 2']);
  });

  it('accepts a conflict won by the later version when every message of the original is in the DLQ', () => {
    // Prepare
    const messages = plan('3');
    const conflict = messages.find((m) => m.kind === 'conflict') as ChaosMessage;
    const observed = perfect(messages);
    const originalBodies = messages
      .filter((m) => m.orderId === conflict.orderId && m.kind !== 'conflict')
      .map((m) => m.body);

    // Act
    const verdict = checkChaosInvariants({
      ...observed,
      stored: observed.stored.map((document) =>
        document._id === conflict.orderId
          ? ({ _id: document._id, ...(JSON.parse(conflict.body) as object) } as StoredOrderContent)
          : document,
      ),
      deadLetterBodies: [
        ...observed.deadLetterBodies.filter((body) => body !== conflict.body),
        ...originalBodies,
      ],
    });

    // Assess
    expect(verdict.violations).toEqual([]);
    expect(verdict.conflictsWonByLaterVersion).toBe(1);
  });
});
