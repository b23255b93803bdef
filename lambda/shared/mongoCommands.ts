import {
  type Collection,
  type Db,
  type Document,
  MongoServerError,
  MongoWriteConcernError,
  ReadPreference,
  WriteConcern,
  type WriteConcernErrorResult,
} from 'mongodb';

// MongoDB's error code for a second document with the same unique key (`_id`).
const DUPLICATE_KEY = 11000;

/** Whether `error` is MongoDB's duplicate-key error: the `_id` is taken. */
export const isDuplicateKey = (error: unknown): boolean =>
  (error as { code?: unknown } | undefined)?.code === DUPLICATE_KEY;

/**
 * Most statements in one `update` or `delete` command. MongoDB takes 100,000; FerretDB v1 never
 * answers an update or delete command of 100 statements or more, and its SQLite backend then stops
 * answering anything at all. Inserts are not affected and go out whole.
 */
export const MAX_UPDATE_STATEMENTS = 99;

/** The collection behind a store: the database (commands run on it) and the collection's name. */
export interface CollectionRef {
  readonly db: Db;
  readonly collectionName: string;
}

/** How long one operation may take: the driver stops waiting, and the server stops working. */
export interface TimeLimit {
  /** Aborts the driver's side: server selection, connection checkout, the socket read. */
  readonly signal?: AbortSignal;
  /** Stops the server's side: a command the consumer gave up on does not go on running. */
  readonly maxTimeMS?: number;
}

/**
 * The {@link TimeLimit} of an operation allowed `ms` (none when `ms` is undefined).
 *
 * The mongodb v7 driver ignores `timeoutMS` ("has no effect") and sends no `maxTimeMS` of its
 * own: an `AbortSignal` is what it honours on its side, and `maxTimeMS` (which MongoDB accepts on
 * every command, FerretDB v1 too) is what ends the work on the server's.
 */
export const timeLimit = (ms: number | undefined): TimeLimit =>
  ms === undefined ? {} : { signal: AbortSignal.timeout(ms), maxTimeMS: ms };

/** The collection's handle for single-document operations. */
export const collectionOf = <T extends Document>(ref: CollectionRef): Collection<T> =>
  ref.db.collection<T>(ref.collectionName);

/**
 * Runs one write command (`insert`, `update` or `delete`, unordered) and answers each statement
 * with `undefined` (applied) or its own {@link MongoServerError} (a duplicate key, say). The total
 * `n` is what the server counted: documents inserted, matched or deleted.
 *
 * A command rather than the driver's `insertMany` / `bulkWrite`: exactly one round trip, and a
 * failure of the whole command (network, timeout, not primary) reaches the caller as the driver's
 * own error class, which the failure classification reads; the bulk helpers re-wrap it into a
 * `MongoBulkWriteError` that keeps only its message. The driver never retries `db.command` nor
 * adds a `txnNumber` to it, whatever `retryWrites` says, so the same command works on servers
 * that refuse retryable writes (DocumentDB); the consumer retries itself, within the invocation's
 * time, and every statement here is safe to repeat.
 *
 * The write concern is the collection's (majority: see `orderDatabase`), and `maxTimeMS` the
 * limit's, so the server stops what the consumer gave up on.
 *
 * @throws the driver's error when the command as a whole failed: then no statement's fate is known.
 */
export const runWriteCommand = async (
  ref: CollectionRef,
  kind: 'insert' | 'update' | 'delete',
  statements: readonly Document[],
  limit: TimeLimit = {},
): Promise<{ readonly n: number; readonly errors: readonly (MongoServerError | undefined)[] }> => {
  const field = kind === 'insert' ? 'documents' : kind === 'update' ? 'updates' : 'deletes';
  const command: Document = {
    [kind]: ref.collectionName,
    [field]: statements,
    ordered: false,
    ...(limit.maxTimeMS === undefined ? {} : { maxTimeMS: limit.maxTimeMS }),
  };
  const writeConcern = collectionOf(ref).writeConcern;
  if (writeConcern !== undefined) WriteConcern.apply(command, writeConcern);
  const reply = await ref.db.command(
    command,
    limit.signal === undefined ? {} : { signal: limit.signal },
  );
  // Applied on the primary but not acknowledged as asked: the outcome of every statement is unknown.
  if (reply.writeConcernError !== undefined)
    throw new MongoWriteConcernError(reply as WriteConcernErrorResult);
  const errors: (MongoServerError | undefined)[] = statements.map(() => undefined);
  for (const { index, code, errmsg } of (reply.writeErrors ?? []) as {
    index: number;
    code: number;
    errmsg: string;
  }[]) {
    errors[index] = new MongoServerError({ message: errmsg, code, errmsg });
  }
  return { n: Number(reply.n ?? 0), errors };
};

/**
 * The documents whose `_id` is one of `ids`, by `_id`, in one round trip: one batch, and the
 * server closes the cursor. One id is an equality on `_id` (FerretDB v1 serves only that from its
 * index); several, `$in`. Read from the primary whatever the URI's read preference: these reads
 * decide what a write just met, and a secondary may not have it yet.
 */
export const findByIds = async <T extends { _id: string }>(
  ref: CollectionRef,
  ids: readonly string[],
  options: { readonly timeLimit?: TimeLimit; readonly projection?: Document } = {},
): Promise<Map<string, T>> => {
  const unique = [...new Set(ids)];
  const found = await collectionOf<{ _id: string }>(ref)
    .find(unique.length === 1 ? { _id: unique[0] ?? '' } : { _id: { $in: unique } }, {
      limit: unique.length,
      batchSize: unique.length,
      singleBatch: true,
      readPreference: ReadPreference.primary,
      ...(options.projection === undefined ? {} : { projection: options.projection }),
      ...options.timeLimit,
    })
    .toArray();
  return new Map(found.map((document) => [String(document._id), document as unknown as T]));
};
