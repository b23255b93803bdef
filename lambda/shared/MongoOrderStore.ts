import type { Document } from 'mongodb';
import { Coalescer } from './Coalescer.js';
import { asError, OrderConflictError, OrderInProgressError } from './errors.js';
import {
  type CollectionRef,
  findByIds,
  isDuplicateKey,
  runWriteCommand,
  timeLimit,
} from './mongoCommands.js';
import type { OrderStore, StoreOutcome } from './OrderStore.js';
import { differingField, ORDER_CONTENT_PROJECTION, type OrderDocument } from './orderDocument.js';

/** Options of {@link MongoOrderStore}. */
export interface MongoOrderStoreOptions extends CollectionRef {
  /** Time allowed to each operation; unbounded (the client's own timeouts) when it returns undefined. */
  readonly operationTimeoutMs?: () => number | undefined;
}

// What a comparison reads of a stored document: its content and status, not its bookkeeping.
const CONTENT = { ...ORDER_CONTENT_PROJECTION, status: 1 } as const;

/**
 * The {@link OrderStore} on MongoDB's `orders` collection (legacy documents share it): `_id` is the
 * `order_id`, documents are inserted and never updated, so even a lost idempotency record cannot
 * create a second order or overwrite one.
 *
 * The writes and reads of one batch's records go out as one `insert` and one `find` (see
 * {@link Coalescer}); a duplicate costs one more `find`, for the stored documents to compare.
 */
export class MongoOrderStore implements OrderStore {
  readonly #ref: CollectionRef;
  readonly #operationTimeoutMs: () => number | undefined;
  readonly #inserter = new Coalescer<OrderDocument, StoreOutcome>((orders) =>
    this.#insertAll(orders),
  );
  readonly #reader = new Coalescer<string, Document | null>(async (ids) => {
    const found = await this.#findMany(ids);
    return ids.map((id) => found.get(id) ?? null);
  });

  constructor(options: MongoOrderStoreOptions) {
    this.#ref = { db: options.db, collectionName: options.collectionName };
    this.#operationTimeoutMs = options.operationTimeoutMs ?? (() => undefined);
  }

  insertOnce(order: OrderDocument): Promise<StoreOutcome> {
    return this.#inserter.submit(order);
  }

  async ensureStored(order: OrderDocument): Promise<StoreOutcome> {
    const stored = await this.#reader.submit(order._id);
    if (stored !== null) return compare(stored, order);
    const written = await this.insertOnce(order);
    return written.outcome === 'created' ? { outcome: 'restored' } : written;
  }

  async #insertAll(orders: readonly OrderDocument[]): Promise<(StoreOutcome | Error)[]> {
    const { errors } = await this.#insert(orders);
    const taken = orders.filter((_, index) => isDuplicateKey(errors[index]));
    const stored =
      taken.length === 0
        ? new Map<string, Document>()
        : await this.#findMany(taken.map((order) => order._id)).catch(asError);
    return Promise.all(
      orders.map(async (order, index): Promise<StoreOutcome | Error> => {
        const error = errors[index];
        if (error === undefined) return { outcome: 'created' };
        if (!isDuplicateKey(error)) return error;
        if (stored instanceof Error) return stored;
        const existing = stored.get(order._id);
        try {
          return existing === undefined ? await this.#insertAlone(order) : compare(existing, order);
        } catch (failure) {
          return asError(failure);
        }
      }),
    );
  }

  /** The order's document was deleted between our insert and our read: once more, alone. */
  async #insertAlone(order: OrderDocument): Promise<StoreOutcome> {
    const { errors } = await this.#insert([order]);
    if (errors[0] === undefined) return { outcome: 'created' };
    if (!isDuplicateKey(errors[0])) throw errors[0];
    const existing = (await this.#findMany([order._id])).get(order._id);
    if (existing === undefined) {
      throw new OrderInProgressError(order._id, { detail: 'is being deleted and written at once' });
    }
    return compare(existing, order);
  }

  #insert(orders: readonly OrderDocument[]) {
    return runWriteCommand(this.#ref, 'insert', orders, timeLimit(this.#operationTimeoutMs()));
  }

  #findMany(ids: readonly string[]): Promise<Map<string, Document>> {
    return findByIds<{ _id: string }>(this.#ref, ids, {
      projection: CONTENT,
      timeLimit: timeLimit(this.#operationTimeoutMs()),
    });
  }
}

const compare = (stored: Document, order: OrderDocument): StoreOutcome => {
  const field = differingField(stored, order);
  if (field !== undefined) throw new OrderConflictError(order._id, `${field} differs`);
  return { outcome: 'already-stored', existingStatus: stored.status };
};
