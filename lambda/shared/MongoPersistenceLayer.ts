import { randomUUID } from 'node:crypto';
import {
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
  IdempotencyRecordStatus,
  IdempotencyUnknownError,
} from '@aws-lambda-powertools/idempotency';
import {
  BasePersistenceLayer,
  IdempotencyRecord,
} from '@aws-lambda-powertools/idempotency/persistence';
import { type Document, ReadPreference } from 'mongodb';
import { Coalescer } from './Coalescer.js';
import { asError, describeError } from './errors.js';
import {
  type CollectionRef,
  collectionOf,
  findByIds,
  isDuplicateKey,
  MAX_UPDATE_STATEMENTS,
  runWriteCommand,
  type TimeLimit,
  timeLimit,
} from './mongoCommands.js';

/** How a record is kept in MongoDB. Dates, not epoch numbers, so a TTL index can expire them. */
export interface IdempotencyDocument {
  _id: string;
  status: 'INPROGRESS' | 'COMPLETED';
  /** New with every claim: completion, release and take-over each name the claim they act on. */
  generation: string;
  /** When the record stops counting; the TTL index removes it some time after. */
  expiresAt: Date;
  /** When an INPROGRESS record is considered abandoned: the holder's invocation has timed out. */
  inProgressExpiresAt?: Date;
  /** Hash of the payload, to detect the same key with different content. */
  validation?: string;
  /** What the idempotent function returned. */
  data?: unknown;
}

/** The indexes of the idempotency collection, as `createIndex` takes them (`npm run db:indexes`). */
export const IDEMPOTENCY_INDEXES = [
  { key: { expiresAt: 1 }, options: { name: 'expiresAt_ttl', expireAfterSeconds: 0 } },
] as const;

/** What the layer logs through; a Powertools Logger fits. */
export interface PersistenceLogger {
  info(message: string, ...extra: unknown[]): void;
  warn(message: string, ...extra: unknown[]): void;
}

/** Options of {@link MongoPersistenceLayer}. */
export interface MongoPersistenceLayerOptions extends CollectionRef {
  /** Time allowed to each operation; unbounded (the client's own timeouts) when it returns undefined. */
  readonly operationTimeoutMs?: () => number | undefined;
  readonly logger?: PersistenceLogger;
  /** The clock, in epoch milliseconds; `Date.now` unless a test moves time. */
  readonly now?: () => number;
}

// A racing release between our insert and our read, or a take-over lost to another, can only
// repeat so often before the caller is told the key is busy.
const MAX_CLAIM_ATTEMPTS = 3;
// Claims remembered past their call (after a failure) before the stale ones are forgotten.
const MAX_REMEMBERED = 1_000;

/** A claim this instance made: its generation, and when others may take it over (epoch ms). */
interface Claim {
  readonly generation: string;
  readonly staleAt: number;
}

interface ClaimRequest {
  readonly document: IdempotencyDocument;
  /** Generations of this instance's own earlier claims on the key that it may take back. */
  readonly earlier: readonly string[];
}

interface Transition {
  readonly key: string;
  readonly generation: string;
  readonly update?: Document;
}

const claimOf = (document: IdempotencyDocument): Claim => ({
  generation: document.generation,
  staleAt: Math.min(
    document.inProgressExpiresAt?.getTime() ?? Number.POSITIVE_INFINITY,
    document.expiresAt.getTime(),
  ),
});

/** Whether a stored record may be replaced: expired, or in progress past its in-progress expiry. */
const isClaimable = (existing: IdempotencyDocument, now: number): boolean =>
  existing.expiresAt.getTime() <= now ||
  (existing.status === IdempotencyRecordStatus.INPROGRESS &&
    existing.inProgressExpiresAt !== undefined &&
    existing.inProgressExpiresAt.getTime() <= now);

/** The filter of one claim as it was made: by `_id`, served by the `_id` index. */
const heldClaim = (key: string, generation: string): Document => ({
  _id: key,
  generation,
  status: IdempotencyRecordStatus.INPROGRESS,
});

/**
 * A MongoDB store for Powertools idempotency records, one document per key.
 *
 * Every operation is a single-document write in the form MongoDB makes atomic and serves from the
 * `_id` index (see `docs/idempotency-store.md` for the state diagram):
 *
 * - **claim**: insert into the unique `_id`. Exactly one of concurrent claimants wins.
 * - **take over** a record that expired, or whose holder ran out of time: replace it with the
 *   filter `{ _id, generation, status }` of the record that was judged stale. On MongoDB exactly
 *   one taker matches; FerretDB v1 reads, then writes, so there two may both proceed. The orders
 *   collection's insert-only write keeps even that from storing an order twice.
 * - **complete** and **release**: update or delete with the filter `{ _id, generation, status:
 *   INPROGRESS }`. A holder whose claim was taken over matches nothing: it can neither complete nor
 *   delete the new holder's claim.
 *
 * The claims, completions and releases of one batch's records go out as one command each (see
 * {@link Coalescer}); each record still gets its own outcome. A key that exists makes the claim
 * throw `IdempotencyItemAlreadyExistsError` carrying the existing record, so Powertools needs no
 * second read.
 *
 * Expired records are ignored by every decision and removed by a TTL index on `expiresAt`,
 * created by {@link MongoPersistenceLayer.ensureIndexes} apart from the order path: where it cannot
 * be made (no privilege, a conflicting index, FerretDB v1 has no TTL indexes), orders go on and
 * expired records stay until taken over.
 */
export class MongoPersistenceLayer extends BasePersistenceLayer {
  readonly #ref: CollectionRef;
  readonly #operationTimeoutMs: () => number | undefined;
  readonly #logger: PersistenceLogger;
  readonly #now: () => number;
  #indexes: Promise<void> | undefined;
  // The claims this instance holds, by key: completion and release name their generation.
  readonly #claims = new Map<string, Claim>();
  // Claims whose insert or replace got no answer (a reset, a timeout): any of them may be stored.
  // Several per key: two records of one batch may carry the same order into one lost insert.
  readonly #unanswered = new Map<string, Claim[]>();
  // Calls at work on each key, from the claim to its completion or release: a record that finds
  // a batch-mate at work on its order never takes that claim for its own.
  readonly #inFlight = new Map<string, number>();
  readonly #claimer = new Coalescer<ClaimRequest, void>((requests) => this.#claimAll(requests));
  readonly #completer = new Coalescer<Transition, void>(
    (items) => this.#transitionAll('update', items),
    { maxItems: MAX_UPDATE_STATEMENTS },
  );
  readonly #releaser = new Coalescer<Transition, void>(
    (items) => this.#transitionAll('delete', items),
    { maxItems: MAX_UPDATE_STATEMENTS },
  );

  constructor(options: MongoPersistenceLayerOptions) {
    super();
    this.#ref = { db: options.db, collectionName: options.collectionName };
    this.#operationTimeoutMs = options.operationTimeoutMs ?? (() => undefined);
    this.#logger = options.logger ?? console;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Creates the TTL index, once per instance, and never fails: the order path does not wait for
   * it, and a failure (a conflicting index, no `createIndex` privilege, a server without TTL
   * indexes, the network) is logged once with its code and `advice`, what to do on this server
   * (`TTL_INDEX_ADVICE`). `npm run db:indexes` makes the index as an operator.
   */
  ensureIndexes(advice?: string): Promise<void> {
    this.#indexes ??= (async () => {
      const collection = collectionOf(this.#ref);
      for (const { key, options } of IDEMPOTENCY_INDEXES) {
        try {
          await collection.createIndex(key, { ...options, ...this.#timeLimit() });
        } catch (error) {
          this.#logger.warn(
            'idempotency index not created; orders go on, expired records stay until taken over',
            {
              collection: this.#ref.collectionName,
              index: options.name,
              code: (error as { code?: unknown }).code,
              error: describeError(error),
              ...(advice === undefined ? {} : { advice }),
            },
          );
        }
      }
    })();
    return this.#indexes;
  }

  /**
   * Checks a record met on a claim against this call's payload (Powertools' order: before its
   * status is read). Only a completed record is checked: an in-progress claim's content was never
   * stored, so a delivery that differs from it is not a conflict but a delivery to retry once the
   * holder is done; the orders collection then decides.
   */
  override processExistingRecord(
    storedDataRecord: IdempotencyRecord,
    processedData: Parameters<BasePersistenceLayer['processExistingRecord']>[1],
  ): IdempotencyRecord {
    if (storedDataRecord.getStatus() === IdempotencyRecordStatus.INPROGRESS) {
      return storedDataRecord;
    }
    return super.processExistingRecord(storedDataRecord, processedData);
  }

  protected override async _putRecord(record: IdempotencyRecord): Promise<void> {
    if (record.getStatus() !== IdempotencyRecordStatus.INPROGRESS) {
      throw new IdempotencyUnknownError('Only INPROGRESS records can be inserted with _putRecord');
    }
    const document = { ...this.#toDocument(record), generation: randomUUID() };
    const key = document._id;
    // A claim of ours may be what we meet: one whose completion or release failed, or one whose
    // answer was lost though the server stored it. Taking it back spares the retry an "in
    // progress" until it goes stale; only a call alone on the key may do so.
    const earlier = this.#inFlight.has(key)
      ? []
      : [this.#claims.get(key), ...(this.#unanswered.get(key) ?? [])].flatMap(
          (claim) => claim?.generation ?? [],
        );
    this.#enter(key);
    try {
      await this.#claimer.submit({ document, earlier });
      this.#unanswered.delete(key);
    } catch (error) {
      this.#leave(key);
      throw error;
    }
  }

  protected override async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const existing = await this.#findOne(idempotencyKey);
    if (existing === null) {
      throw new IdempotencyItemNotFoundError('Item does not exist in persistence store');
    }
    return this.#toRecord(existing);
  }

  protected override async _updateRecord(record: IdempotencyRecord): Promise<void> {
    const document = this.#toDocument(record);
    await this.#transition(this.#completer, document._id, {
      $set: {
        status: document.status,
        expiresAt: document.expiresAt,
        data: document.data ?? null,
        ...(document.validation === undefined ? {} : { validation: document.validation }),
      },
      $unset: { inProgressExpiresAt: '' },
    });
  }

  protected override async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    // Only our own claim in progress is released; a completed record is never removed by a failure.
    await this.#transition(this.#releaser, record.idempotencyKey);
  }

  /** Completes or releases this instance's claim on `key`; one conditional write, coalesced. */
  async #transition(
    coalescer: Coalescer<Transition, void>,
    key: string,
    update?: Document,
  ): Promise<void> {
    try {
      const claim = this.#claims.get(key);
      if (claim === undefined) return;
      await coalescer.submit({ key, generation: claim.generation, update });
      this.#claims.delete(key);
    } finally {
      this.#leave(key);
    }
  }

  /** One `insert` for every claim of the turn; one `find` for the keys that already existed. */
  async #claimAll(requests: readonly ClaimRequest[]): Promise<(undefined | Error)[]> {
    const documents = requests.map(({ document }) => document);
    const { errors } = await runWriteCommand(
      this.#ref,
      'insert',
      documents,
      this.#timeLimit(),
    ).catch((error: unknown) => {
      // No answer: any of these claims may be stored, and is ours to take back.
      for (const document of documents) this.#noteUnanswered(document);
      throw error;
    });
    const taken = requests.filter((_, index) => isDuplicateKey(errors[index]));
    const existing =
      taken.length === 0
        ? new Map<string, IdempotencyDocument>()
        : await this.#findMany(taken.map(({ document }) => document._id)).catch(asError);
    return Promise.all(
      requests.map(async (request, index) => {
        const error = errors[index];
        if (error === undefined) return this.#remember(request.document);
        if (!isDuplicateKey(error)) return error;
        if (existing instanceof Error) return existing;
        return this.#settle(request, existing.get(request.document._id) ?? null).catch(asError);
      }),
    );
  }

  /**
   * Decides a claim whose key exists: our own lost claim is taken back, a live record refuses it,
   * a stale one is taken over. The rare paths (a record released or taken over meanwhile) go on
   * alone, not coalesced.
   */
  async #settle(request: ClaimRequest, found: IdempotencyDocument | null): Promise<undefined> {
    const { document } = request;
    let existing = found;
    for (let attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
      if (existing === null) {
        // Released between our insert and our read.
        const { errors } = await this.#write('insert', [document]).catch((error: unknown) => {
          this.#noteUnanswered(document);
          throw error;
        });
        if (errors[0] === undefined) return this.#remember(document);
        if (!isDuplicateKey(errors[0])) throw errors[0];
        existing = await this.#findOne(document._id);
        continue;
      }
      const stale = isClaimable(existing, this.#now());
      if (
        !stale &&
        existing.status === IdempotencyRecordStatus.INPROGRESS &&
        existing.validation === document.validation &&
        request.earlier.includes(existing.generation)
      ) {
        return this.#remember(existing);
      }
      if (!stale) {
        throw new IdempotencyItemAlreadyExistsError(
          `Failed to put record for already existing idempotency key: ${document._id}`,
          this.#toRecord(existing),
        );
      }
      // The whole claim replaces the stale one, in an update command: a command is never sent
      // with a `txnNumber` (servers without retryable writes refuse those), and the filter names
      // the claim judged stale, so of two takers at most one matches.
      const { _id, ...replacement } = document;
      const replaced = await this.#write('update', [
        { q: { _id, generation: existing.generation, status: existing.status }, u: replacement },
      ]).catch((error: unknown) => {
        this.#noteUnanswered(document);
        throw error;
      });
      if (replaced.errors[0] !== undefined) throw replaced.errors[0];
      if (replaced.n === 1) return this.#remember(document);
      existing = await this.#findOne(_id);
    }
    throw new IdempotencyItemAlreadyExistsError(
      `Failed to put record for contended idempotency key: ${document._id}`,
    );
  }

  /** One `update` or `delete` command for the turn's completions or releases. */
  async #transitionAll(
    kind: 'update' | 'delete',
    items: readonly Transition[],
  ): Promise<readonly (undefined | Error)[]> {
    const statements = items.map(({ key, generation, update }) =>
      kind === 'update'
        ? { q: heldClaim(key, generation), u: update }
        : { q: heldClaim(key, generation), limit: 1 },
    );
    const { n, errors } = await this.#write(kind, statements);
    if (n < items.length - errors.filter(Boolean).length) {
      // Taken over after going stale: the new holder completes the key.
      this.#logger.info('claims no longer held; left to their new holder', {
        operation: kind === 'update' ? 'complete' : 'release',
        claims: items.length,
        matched: n,
      });
    }
    return errors;
  }

  #write(kind: 'insert' | 'update' | 'delete', statements: readonly Document[]) {
    return runWriteCommand(this.#ref, kind, statements, this.#timeLimit());
  }

  #findMany(keys: readonly string[]): Promise<Map<string, IdempotencyDocument>> {
    return findByIds<IdempotencyDocument>(this.#ref, keys, { timeLimit: this.#timeLimit() });
  }

  #findOne(key: string): Promise<IdempotencyDocument | null> {
    return collectionOf<IdempotencyDocument>(this.#ref).findOne(
      { _id: key },
      { ...this.#timeLimit(), readPreference: ReadPreference.primary },
    );
  }

  #noteUnanswered(document: IdempotencyDocument): void {
    const claims = this.#unanswered.get(document._id) ?? [];
    this.#unanswered.set(document._id, [...claims, claimOf(document)]);
  }

  #remember(document: IdempotencyDocument): undefined {
    this.#claims.set(document._id, claimOf(document));
    return undefined;
  }

  #enter(key: string): void {
    this.#inFlight.set(key, (this.#inFlight.get(key) ?? 0) + 1);
    if (this.#claims.size + this.#unanswered.size > MAX_REMEMBERED) this.#forgetStale();
  }

  #leave(key: string): void {
    const calls = (this.#inFlight.get(key) ?? 1) - 1;
    if (calls > 0) this.#inFlight.set(key, calls);
    else this.#inFlight.delete(key);
  }

  // Failures leave claims behind until their key comes back to this container, which it may never
  // do. A stale claim can be neither completed nor taken back, so it is safe to forget.
  #forgetStale(): void {
    const now = this.#now();
    for (const [key, claim] of this.#claims) {
      if (claim.staleAt <= now && !this.#inFlight.has(key)) this.#claims.delete(key);
    }
    for (const [key, claims] of this.#unanswered) {
      if (claims.every(({ staleAt }) => staleAt <= now) && !this.#inFlight.has(key)) {
        this.#unanswered.delete(key);
      }
    }
  }

  #timeLimit(): TimeLimit {
    return timeLimit(this.#operationTimeoutMs());
  }

  #toDocument(record: IdempotencyRecord): Omit<IdempotencyDocument, 'generation'> {
    const status = record.getStatus();
    if (status === IdempotencyRecordStatus.EXPIRED) {
      throw new IdempotencyUnknownError('An expired record cannot be stored');
    }
    const document: Omit<IdempotencyDocument, 'generation'> = {
      _id: record.idempotencyKey,
      status,
      expiresAt: new Date((record.expiryTimestamp ?? 0) * 1000),
    };
    if (record.inProgressExpiryTimestamp !== undefined) {
      document.inProgressExpiresAt = new Date(record.inProgressExpiryTimestamp);
    }
    if (this.isPayloadValidationEnabled() && record.payloadHash) {
      document.validation = record.payloadHash;
    }
    if (record.responseData !== undefined) document.data = record.responseData;
    return document;
  }

  #toRecord(document: IdempotencyDocument): IdempotencyRecord {
    return new IdempotencyRecord({
      idempotencyKey: document._id,
      status: document.status,
      expiryTimestamp: document.expiresAt.getTime() / 1000,
      inProgressExpiryTimestamp: document.inProgressExpiresAt?.getTime(),
      payloadHash: document.validation,
      responseData: document.data as IdempotencyRecord['responseData'],
    });
  }
}
