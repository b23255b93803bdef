import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';

/**
 * Idempotency of the record step, configured here and nowhere else.
 *
 * - The key is the `order_id`: producers resend with new message ids.
 * - The payload's `content` (`orderContent`: money in millionths, the timestamp as an instant) is
 *   hashed and validated: a completed record with another hash sends the delivery to the orders
 *   collection, which decides between a duplicate and a conflict. Never a silent drop.
 * - The key prefix is fixed (`order`), so keys survive renaming the function.
 * - A replay (a delivery Powertools answers from the record) is marked `replayed`, so the record
 *   step checks the orders collection before it believes it.
 */
export interface OrderIdempotency {
  readonly persistenceStore: BasePersistenceLayer;
  readonly config: IdempotencyConfig;
}

/** The configuration of {@link OrderIdempotency} around a store. */
export const orderIdempotency = (
  persistenceStore: BasePersistenceLayer,
  expiresAfterSeconds: number,
): OrderIdempotency => ({
  persistenceStore,
  config: new IdempotencyConfig({
    eventKeyJmesPath: 'order_id',
    payloadValidationJmesPath: 'content',
    expiresAfterSeconds,
    throwOnNoIdempotencyKey: true,
    responseHook: (response) => ({ ...(response as Record<string, unknown>), replayed: true }),
  }),
});

/** Makes `fn(order, …)` idempotent on the order, as {@link OrderIdempotency} describes. */
export const makeOrderIdempotent = <Args extends [{ readonly order_id: string }, ...unknown[]], R>(
  fn: (...args: Args) => Promise<R>,
  { persistenceStore, config }: OrderIdempotency,
): ((...args: Args) => Promise<R>) =>
  makeIdempotent(fn, { persistenceStore, config, keyPrefix: 'order' });

/** Gives Powertools the invocation's context: a claim goes stale when its invocation times out. */
export const registerInvocation = ({ config }: OrderIdempotency, context: Context): void =>
  config.registerLambdaContext(context);
