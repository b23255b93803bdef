import {
  differingField,
  type OrderDocument,
  toOrderDocument,
} from '../../lambda/shared/orderDocument.js';
import { parseOrderEvent } from '../../lambda/shared/orderEvent.js';
import type { ChaosMessage } from './planChaosMessages.js';

/** An order document as read back for the check (its content fields, and its id). */
export type StoredOrderContent = Readonly<Record<string, unknown>> & { readonly _id: string };

/** Everything the check reads after the queues went quiet. */
export interface ChaosObservations {
  readonly messages: readonly ChaosMessage[];
  /** Every document of the run's `orders` collection. */
  readonly stored: readonly StoredOrderContent[];
  /** Idempotency records still INPROGRESS. */
  readonly unfinishedClaims: number;
  /** Bodies of every message in the DLQ. */
  readonly deadLetterBodies: readonly string[];
  /** Messages left on the main queue (visible, in flight or delayed). */
  readonly leftOnQueue: number;
  /**
   * Orders the consumer counted as written by itself (its `OrdersStored` and `OrdersRestored`
   * metrics). Nothing else writes in a run, so more than the documents stored means one was
   * written twice.
   */
  readonly createdWrites: number;
  /**
   * Records the consumer counted as internal errors (its `InternalErrors` metric). A run injects
   * only faults of the network and the server, each an outage: none may be taken for a bug.
   */
  readonly internalErrors: number;
}

/** The figures of a run and what broke the promise, if anything. */
export interface ChaosVerdict {
  readonly sent: number;
  readonly uniqueValid: number;
  readonly resends: number;
  readonly invalid: number;
  readonly conflicts: number;
  /** Conflicts where the later version reached the database first, so the original was refused. */
  readonly conflictsWonByLaterVersion: number;
  readonly stored: number;
  readonly storedTwice: number;
  readonly lost: number;
  readonly wrongContent: number;
  /** Documents no valid message asked for (an invalid body stored, say). */
  readonly unexpectedDocuments: number;
  readonly inDeadLetterQueue: number;
  readonly expectedInDeadLetterQueue: number;
  /** Messages of a stored order version found in the DLQ (a valid order dead-lettered). */
  readonly validInDeadLetterQueue: number;
  /** Messages that should be in the DLQ and are not (consumed, or still somewhere). */
  readonly missingFromDeadLetterQueue: number;
  readonly unfinishedClaims: number;
  readonly leftOnQueue: number;
  readonly internalErrors: number;
  /** One line per broken invariant; empty when the run kept every promise. */
  readonly violations: readonly string[];
  /** A few examples per violation, for the person reading the report. */
  readonly examples: readonly string[];
}

type OrderContent = OrderDocument;

// The sent body as the consumer would store it, compared as the consumer compares orders.
const contentOf = (body: string): OrderContent =>
  toOrderDocument(parseOrderEvent(body), { messageId: '', now: new Date(0) });
const sameContent = (stored: StoredOrderContent, sent: OrderContent): boolean =>
  differingField(stored, sent) === undefined;

const countBy = <T>(values: Iterable<T>): Map<T, number> => {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
};

/** What `a` holds beyond `b`, as a multiset. */
const excess = (a: Map<string, number>, b: Map<string, number>): string[] =>
  [...a].flatMap(([value, count]) => Array(Math.max(0, count - (b.get(value) ?? 0))).fill(value));

const EXAMPLES = 3;

/**
 * Checks a chaos run against the service's promise, from what was sent and what MongoDB and the
 * DLQ hold at the end:
 *
 * - every valid order stored, exactly once, with the content sent (none lost, none doubled under
 *   another spelling of its id, none written twice);
 * - of two versions of one order (a conflict) exactly one stored, whichever came first, and every
 *   message of the other in the DLQ;
 * - the DLQ holds exactly the messages that can never be stored: no valid message, no invalid one
 *   missing;
 * - nothing left on the queue, no claim left in progress.
 */
export const checkChaosInvariants = (observed: ChaosObservations): ChaosVerdict => {
  const { messages } = observed;
  const originals = new Map<string, OrderContent>();
  const conflictVersions = new Map<string, OrderContent>();
  for (const message of messages) {
    if (message.orderId === undefined) continue;
    if (message.kind === 'new') originals.set(message.orderId, contentOf(message.body));
    if (message.kind === 'conflict') {
      conflictVersions.set(message.orderId, contentOf(message.body));
    }
  }
  const storedById = new Map(observed.stored.map((document) => [document._id, document]));
  const lost: string[] = [];
  const wrongContent: string[] = [];
  const winner = new Map<string, 'original' | 'conflict'>();
  for (const [id, original] of originals) {
    const document = storedById.get(id);
    if (document === undefined) lost.push(id);
    else if (sameContent(document, original)) winner.set(id, 'original');
    else if (
      conflictVersions.has(id) &&
      sameContent(document, conflictVersions.get(id) as OrderContent)
    ) {
      winner.set(id, 'conflict');
    } else wrongContent.push(id);
  }
  const aliases: string[] = [];
  const unexpected: string[] = [];
  for (const document of observed.stored) {
    if (originals.has(document._id)) continue;
    if (originals.has(document._id.trim().normalize('NFC'))) aliases.push(document._id);
    else unexpected.push(document._id);
  }
  const writtenTwice = Math.max(0, observed.createdWrites - observed.stored.length);

  const expectedDeadLetters = messages
    .filter((message) => {
      if (message.kind === 'invalid') return true;
      const id = message.orderId;
      if (id === undefined || !conflictVersions.has(id) || !winner.has(id)) return false;
      const version = message.kind === 'conflict' ? 'conflict' : 'original';
      return version !== winner.get(id);
    })
    .map((message) => message.body);
  const expectedCounts = countBy(expectedDeadLetters);
  const actualCounts = countBy(observed.deadLetterBodies);
  const missing = excess(expectedCounts, actualCounts);
  const surplus = excess(actualCounts, expectedCounts);
  const sentBodies = new Set(messages.filter((m) => m.kind !== 'invalid').map((m) => m.body));
  const validInDlq = surplus.filter((body) => sentBodies.has(body));

  const violations: string[] = [];
  const examples: string[] = [];
  const report = (count: number, what: string, sample: readonly string[]) => {
    if (count === 0) return;
    violations.push(`${what}: ${count}`);
    examples.push(...sample.slice(0, EXAMPLES).map((value) => `  ${what}: ${value.slice(0, 160)}`));
  };
  report(lost.length, 'valid orders lost (not stored)', lost);
  report(aliases.length + writtenTwice, 'orders stored twice', aliases);
  report(wrongContent.length, 'orders stored with other content than sent', wrongContent);
  report(unexpected.length, 'documents no valid message asked for', unexpected);
  report(validInDlq.length, 'valid messages in the DLQ', validInDlq);
  report(missing.length, 'messages missing from the DLQ', missing);
  report(
    surplus.length - validInDlq.length,
    'unknown messages in the DLQ',
    surplus.filter((b) => !sentBodies.has(b)),
  );
  report(observed.unfinishedClaims, 'idempotency claims left in progress', []);
  report(observed.leftOnQueue, 'messages left on the order queue', []);
  report(observed.internalErrors, 'records failed as internal errors', []);

  return {
    sent: messages.length,
    uniqueValid: originals.size,
    resends: messages.filter((m) => m.kind === 'duplicate').length,
    invalid: messages.filter((m) => m.kind === 'invalid').length,
    conflicts: messages.filter((m) => m.kind === 'conflict').length,
    conflictsWonByLaterVersion: [...winner.values()].filter((v) => v === 'conflict').length,
    stored: observed.stored.length,
    storedTwice: aliases.length + writtenTwice,
    lost: lost.length,
    wrongContent: wrongContent.length,
    unexpectedDocuments: unexpected.length,
    inDeadLetterQueue: observed.deadLetterBodies.length,
    expectedInDeadLetterQueue: expectedDeadLetters.length,
    validInDeadLetterQueue: validInDlq.length,
    missingFromDeadLetterQueue: missing.length,
    unfinishedClaims: observed.unfinishedClaims,
    leftOnQueue: observed.leftOnQueue,
    internalErrors: observed.internalErrors,
    violations,
    examples,
  };
};
