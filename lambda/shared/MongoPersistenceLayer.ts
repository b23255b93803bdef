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
import { type Collection, type InsertOneOptions, MongoServerError } from 'mongodb';
import { abortAfter } from './abortAfter.js';

/** How a record is kept in MongoDB. Dates, not epoch numbers, so a TTL index can expire them. */
export interface IdempotencyDocument {
  _id: string;
  status: 'INPROGRESS' | 'COMPLETED';
  /** Changes with every claim, so a take-over replaces exactly the claim it judged stale. */
  generation?: string;
  /** When the record stops counting; the TTL index removes it some time after. */
  expiresAt: Date;
  /** When an INPROGRESS record is considered abandoned (its Lambda timed out or crashed). */
  inProgressExpiresAt?: Date;
  /** Hash of the payload, to detect the same key with different content. */
  validation?: string;
  /** What the idempotent function returned. */
  data?: unknown;
}

/** Marks that one caller took over one claim generation of a key; lives beside the records. */
interface TakeoverMarker {
  _id: string;
  status: 'TAKEOVER';
  expiresAt: Date;
}

/** What the layer logs through; a Powertools Logger fits. */
export interface PersistenceLogger {
  warn(message: string, ...extra: unknown[]): void;
}

/** Options of {@link MongoPersistenceLayer}. */
export interface MongoPersistenceLayerOptions {
  /** The collection holding idempotency records (conventionally `idempotency`). */
  readonly collection: Collection<IdempotencyDocument>;
  /** Time allowed to each operation; unbounded (the client's own timeouts) when it returns undefined. */
  readonly operationTimeoutMs?: () => number | undefined;
  /** Where to warn when the server cannot expire records by itself. */
  readonly logger?: PersistenceLogger;
  /** The clock, in epoch milliseconds; `Date.now` unless a test moves time. */
  readonly now?: () => number;
}

const DUPLICATE_KEY = 11000;
const NOT_IMPLEMENTED = 238;
// How long a take-over marker blocks other callers from taking over the same claim.
const TAKEOVER_LEASE_MS = 10_000;
// A racing delete between our failed insert and our read can only repeat so often.
const MAX_PUT_ATTEMPTS = 3;
// A holder completes its claim without re-reading it only while the claim has at least this long
// to live: room for clock skew between containers and for the write's own trip.
const CLAIM_SAFETY_MARGIN_MS = 1_000;

// Claims remembered past their call (after a failure) before the stale ones are forgotten.
const MAX_REMEMBERED = 1_000;

/** What an instance remembers of a claim it made. */
interface Claim {
  readonly generation: string;
  /** When others may take the claim over (epoch ms): its in-progress expiry, else its expiry. */
  readonly staleAt: number;
}

const claimOf = (document: IdempotencyDocument): Claim => ({
  generation: document.generation ?? '',
  staleAt: Math.min(
    document.inProgressExpiresAt?.getTime() ?? Number.POSITIVE_INFINITY,
    document.expiresAt.getTime(),
  ),
});

const isDuplicateKey = (error: unknown): boolean =>
  error instanceof MongoServerError && error.code === DUPLICATE_KEY;

/** Whether a stored record may be replaced: expired, or in progress past its in-progress expiry. */
const isClaimable = (existing: IdempotencyDocument, now: Date): boolean =>
  existing.expiresAt <= now ||
  (existing.status === IdempotencyRecordStatus.INPROGRESS &&
    existing.inProgressExpiresAt !== undefined &&
    existing.inProgressExpiresAt <= now);

/**
 * A MongoDB store for Powertools idempotency records.
 *
 * - `saveInProgress` succeeds atomically only when the key is absent, expired, or INPROGRESS past
 *   its in-progress expiry (a crashed or timed-out holder). Every decision rests on inserts into a
 *   unique `_id` (the record itself, or a take-over marker per claim generation), so two callers
 *   can never both win, even on servers whose conditional updates are not atomic.
 * - Otherwise it throws `IdempotencyItemAlreadyExistsError` carrying the existing record, so the
 *   caller needs no second read.
 * - Expired records are ignored by every read and removed by a TTL index on `expiresAt`. Where the
 *   server has no TTL indexes (FerretDB v1), a warning is logged once and expired records stay
 *   until taken over; correctness does not depend on their removal.
 *
 * @example
 * ```ts
 * const persistenceStore = new MongoPersistenceLayer({ collection: db.collection('idempotency') });
 * const storeOrder = makeIdempotent(fn, { persistenceStore, config });
 * ```
 */
export class MongoPersistenceLayer extends BasePersistenceLayer {
  readonly #collection: Collection<IdempotencyDocument>;
  readonly #operationTimeoutMs: () => number | undefined;
  readonly #logger: PersistenceLogger;
  #indexes: Promise<void> | undefined;
  readonly #now: () => number;
  // The claims this instance holds, so it never completes or releases a claim that another caller
  // took over after ours went stale.
  readonly #claims = new Map<string, Claim>();
  // Claims whose insert or replace got no answer (a reset, a timeout): they may be stored.
  readonly #unanswered = new Map<string, Claim>();
  // Calls at work on each key, from the claim to its completion or release: a record of the
  // running batch that finds another at work on its order never takes that claim for its own.
  readonly #inFlight = new Map<string, number>();

  constructor(options: MongoPersistenceLayerOptions) {
    super();
    this.#collection = options.collection;
    this.#operationTimeoutMs = options.operationTimeoutMs ?? (() => undefined);
    this.#logger = options.logger ?? console;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Creates the TTL index once per instance. Called before the first write; a failure other than
   * "not implemented" is retried on the next call rather than remembered.
   */
  ensureIndexes(): Promise<void> {
    this.#indexes ??= this.#collection
      .createIndex(
        { expiresAt: 1 },
        { name: 'expiresAt_ttl', expireAfterSeconds: 0, ...this.#bounded() },
      )
      .then(
        () => undefined,
        (error: unknown) => {
          if (error instanceof MongoServerError && error.code === NOT_IMPLEMENTED) {
            this.#logger.warn(
              'MongoDB server does not support TTL indexes; expired idempotency records will not be deleted automatically',
              { collection: this.#collection.collectionName },
            );
            return;
          }
          this.#indexes = undefined;
          throw error;
        },
      );
    return this.#indexes;
  }

  protected override async _putRecord(record: IdempotencyRecord): Promise<void> {
    if (record.getStatus() !== IdempotencyRecordStatus.INPROGRESS) {
      throw new IdempotencyUnknownError('Only INPROGRESS records can be inserted with _putRecord');
    }
    const document = { ...this.#toDocument(record), generation: randomUUID() };
    const key = document._id;
    // A claim of ours may be what we meet: one whose completion or release failed, or one whose
    // answer was lost though the server stored it. Taking it back spares the retry an "in
    // progress" until it expires; only a call alone on the key may do so.
    const earlier = this.#inFlight.has(key)
      ? []
      : [this.#claims.get(key), this.#unanswered.get(key)].flatMap((c) => c?.generation ?? []);
    this.#enter(key);
    try {
      await this.ensureIndexes();
      await this.#claim(document, earlier);
      this.#unanswered.delete(key);
    } catch (error) {
      this.#leave(key);
      throw error;
    }
  }

  /** Stores `document` as the key's claim, or throws `IdempotencyItemAlreadyExistsError`. */
  async #claim(document: IdempotencyDocument, earlier: readonly string[]): Promise<void> {
    // A write that failed without an answer may have been stored all the same.
    const unanswered = (error: unknown): never => {
      this.#unanswered.set(document._id, claimOf(document));
      throw error;
    };
    for (let attempt = 1; attempt <= MAX_PUT_ATTEMPTS; attempt++) {
      if (await this.#insert(document).catch(unanswered)) return this.#remember(document);
      const existing = await this.#collection.findOne({ _id: document._id }, this.#bounded());
      if (existing === null) continue; // released between our insert and our read
      const claimable = isClaimable(existing, new Date(this.#now()));
      if (
        !claimable &&
        existing.status === IdempotencyRecordStatus.INPROGRESS &&
        existing.validation === document.validation &&
        earlier.includes(existing.generation ?? '')
      ) {
        return this.#remember(existing);
      }
      if (!claimable) {
        throw new IdempotencyItemAlreadyExistsError(
          `Failed to put record for already existing idempotency key: ${document._id}`,
          this.#toRecord(existing),
        );
      }
      // Expired, or abandoned in progress. Only the claimant that inserts the take-over marker
      // for this generation may replace it: an insert on a unique _id is atomic on every
      // MongoDB-compatible server, a conditional update is not (FerretDB v1 reads, then writes).
      const marker: TakeoverMarker = {
        // The time bucket bounds a failed take-over (marker written, replace lost to a fault or a
        // crash) to one lease: afterwards another caller may try again.
        _id: `${document._id}#takeover#${existing.generation ?? existing.expiresAt.getTime()}#${Math.floor(this.#now() / TAKEOVER_LEASE_MS)}`,
        status: 'TAKEOVER',
        expiresAt: document.expiresAt,
      };
      if (!(await this.#insert(marker))) {
        throw new IdempotencyItemAlreadyExistsError(
          `Another caller is taking over idempotency key: ${document._id}`,
          this.#toRecord(existing),
        );
      }
      const replaced = await this.#collection
        .replaceOne(
          { _id: document._id, generation: existing.generation },
          document,
          this.#bounded(),
        )
        .catch(unanswered);
      if (replaced.matchedCount === 1) return this.#remember(document);
    }
    throw new IdempotencyItemAlreadyExistsError(
      `Failed to put record for contended idempotency key: ${document._id}`,
    );
  }

  protected override async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const existing = await this.#collection.findOne({ _id: idempotencyKey }, this.#bounded());
    if (existing === null) {
      throw new IdempotencyItemNotFoundError('Item does not exist in persistence store');
    }
    return this.#toRecord(existing);
  }

  protected override async _updateRecord(record: IdempotencyRecord): Promise<void> {
    const document = this.#toDocument(record);
    try {
      // Completes only our own claim: if a slow invocation was taken over, the new holder
      // completes. While the claim is young nobody can have taken it over, so the read is spared:
      // a new order then costs three commands (claim, order, completion). A completion that the
      // server applies only after a take-over is harmless: it follows our order write, and the
      // taker's own write of the same order finds it stored (or conflicts, and then cannot
      // release a completed record).
      if (this.#isYoung(document._id) || (await this.#holdsClaim(document._id))) {
        await this.#collection.updateOne(
          { _id: document._id },
          {
            $set: {
              status: document.status,
              expiresAt: document.expiresAt,
              data: document.data ?? null,
              ...(document.validation === undefined ? {} : { validation: document.validation }),
            },
            $unset: { inProgressExpiresAt: '' },
          },
          this.#bounded(),
        );
      }
      this.#claims.delete(document._id);
    } finally {
      this.#leave(document._id);
    }
  }

  protected override async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    const key = record.idempotencyKey;
    try {
      // Only our own in-progress claim is released; a completed record is never removed by a failure.
      if (await this.#holdsClaim(key, IdempotencyRecordStatus.INPROGRESS)) {
        await this.#collection.deleteOne({ _id: key }, this.#bounded());
      }
      this.#claims.delete(key);
    } finally {
      this.#leave(key);
    }
  }

  /**
   * Whether the stored record is still the claim this instance made (and, if given, in `status`).
   * Read by `_id`, then written by `_id`: servers without a compound-filter plan (FerretDB v1 scans
   * the whole collection for `{ _id, generation }`) serve both from the `_id` index. The moment
   * between the read and the write matters only to a holder already past its in-progress expiry,
   * and the insert-only order write keeps even that from storing an order twice.
   */
  async #holdsClaim(key: string, status?: IdempotencyDocument['status']): Promise<boolean> {
    const claim = this.#claims.get(key);
    if (claim === undefined) return false;
    const stored = await this.#collection.findOne(
      { _id: key },
      { projection: { generation: 1, status: 1 }, ...this.#bounded() },
    );
    return (
      stored?.generation === claim.generation && (status === undefined || stored.status === status)
    );
  }

  /** Whether our claim on `key` is far enough from going stale that no one can have taken it over. */
  #isYoung(key: string): boolean {
    const claim = this.#claims.get(key);
    return claim !== undefined && this.#now() < claim.staleAt - CLAIM_SAFETY_MARGIN_MS;
  }

  /** Inserts a document; `false` when its _id exists. */
  async #insert(document: IdempotencyDocument | TakeoverMarker): Promise<boolean> {
    try {
      // Markers share the records' collection (and their TTL index); only their _id differs.
      const collection = this.#collection as unknown as Collection<
        IdempotencyDocument | TakeoverMarker
      >;
      await collection.insertOne(document, this.#bounded());
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  #remember(document: IdempotencyDocument): void {
    this.#claims.set(document._id, claimOf(document));
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
  // do. A stale claim can be neither completed fast nor taken back, so it is safe to forget.
  #forgetStale(): void {
    const now = this.#now();
    for (const claims of [this.#claims, this.#unanswered]) {
      for (const [key, claim] of claims) {
        if (claim.staleAt <= now && !this.#inFlight.has(key)) claims.delete(key);
      }
    }
  }

  // Cast: the driver honours `signal` on every operation, its types declare it on reads only.
  #bounded(): InsertOneOptions {
    return abortAfter(this.#operationTimeoutMs()) as InsertOneOptions;
  }

  #toDocument(record: IdempotencyRecord): IdempotencyDocument {
    const status = record.getStatus();
    if (status === IdempotencyRecordStatus.EXPIRED) {
      throw new IdempotencyUnknownError('An expired record cannot be stored');
    }
    const document: IdempotencyDocument = {
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
