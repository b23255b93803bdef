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
import { type Collection, MongoServerError } from 'mongodb';

/** How a record is kept in MongoDB. Dates, not epoch numbers, so a TTL index can expire them. */
export interface IdempotencyDocument {
  _id: string;
  status: 'INPROGRESS' | 'COMPLETED';
  /** When the record stops counting; the TTL index removes it some time after. */
  expiresAt: Date;
  /** When an INPROGRESS record is considered abandoned (its Lambda timed out or crashed). */
  inProgressExpiresAt?: Date;
  /** Hash of the payload, to detect the same key with different content. */
  validation?: string;
  /** What the idempotent function returned. */
  data?: unknown;
}

/** What the layer logs through; a Powertools Logger fits. */
export interface PersistenceLogger {
  warn(message: string, ...extra: unknown[]): void;
}

/** Options of {@link MongoPersistenceLayer}. */
export interface MongoPersistenceLayerOptions {
  /** The collection holding idempotency records (conventionally `idempotency`). */
  readonly collection: Collection<IdempotencyDocument>;
  /** `timeoutMS` for each operation; defaults to the client's own timeouts. */
  readonly operationTimeoutMs?: () => number | undefined;
  /** Where to warn when the server cannot expire records by itself. */
  readonly logger?: PersistenceLogger;
}

const DUPLICATE_KEY = 11000;
const NOT_IMPLEMENTED = 238;
// A racing delete between our failed insert and our read can only repeat so often.
const MAX_PUT_ATTEMPTS = 3;

const isDuplicateKey = (error: unknown): boolean =>
  error instanceof MongoServerError && error.code === DUPLICATE_KEY;

/**
 * A MongoDB store for Powertools idempotency records.
 *
 * - `saveInProgress` succeeds atomically only when the key is absent, expired, or INPROGRESS past
 *   its in-progress expiry (a crashed or timed-out holder); the take-over is one conditional upsert,
 *   so two callers can never both win.
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

  constructor(options: MongoPersistenceLayerOptions) {
    super();
    this.#collection = options.collection;
    this.#operationTimeoutMs = options.operationTimeoutMs ?? (() => undefined);
    this.#logger = options.logger ?? console;
  }

  /**
   * Creates the TTL index once per instance. Called before the first write; a failure other than
   * "not implemented" is retried on the next call rather than remembered.
   */
  ensureIndexes(): Promise<void> {
    this.#indexes ??= this.#collection
      .createIndex(
        { expiresAt: 1 },
        { name: 'expiresAt_ttl', expireAfterSeconds: 0, timeoutMS: this.#timeout() },
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
    await this.ensureIndexes();
    const document = this.#toDocument(record);
    for (let attempt = 1; attempt <= MAX_PUT_ATTEMPTS; attempt++) {
      const now = new Date();
      try {
        // Matches only a record we may replace; if one exists that we may not, the upsert's
        // insert collides on _id and the server answers "duplicate key".
        await this.#collection.replaceOne(
          {
            _id: document._id,
            $or: [
              { expiresAt: { $lte: now } },
              { status: IdempotencyRecordStatus.INPROGRESS, inProgressExpiresAt: { $lte: now } },
            ],
          },
          document,
          { upsert: true, timeoutMS: this.#timeout() },
        );
        return;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const existing = await this.#collection.findOne(
        { _id: document._id },
        { timeoutMS: this.#timeout() },
      );
      if (existing !== null) {
        throw new IdempotencyItemAlreadyExistsError(
          `Failed to put record for already existing idempotency key: ${document._id}`,
          this.#toRecord(existing),
        );
      }
    }
    throw new IdempotencyItemAlreadyExistsError(
      `Failed to put record for contended idempotency key: ${document._id}`,
    );
  }

  protected override async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const existing = await this.#collection.findOne(
      { _id: idempotencyKey },
      { timeoutMS: this.#timeout() },
    );
    if (existing === null) {
      throw new IdempotencyItemNotFoundError('Item does not exist in persistence store');
    }
    return this.#toRecord(existing);
  }

  protected override async _updateRecord(record: IdempotencyRecord): Promise<void> {
    const document = this.#toDocument(record);
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
      { timeoutMS: this.#timeout() },
    );
  }

  protected override async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    // Only an in-progress claim is released; a completed record is never removed by a failure.
    await this.#collection.deleteOne(
      { _id: record.idempotencyKey, status: IdempotencyRecordStatus.INPROGRESS },
      { timeoutMS: this.#timeout() },
    );
  }

  #timeout(): number | undefined {
    return this.#operationTimeoutMs();
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
