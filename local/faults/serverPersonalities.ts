import type { Document } from 'mongodb';
import { commandName } from './mongoWire.js';

/**
 * The servers users run, as the fault proxy makes FerretDB answer like them, each from its
 * vendor's documentation:
 *
 * - `ferretdb`: FerretDB as it is (a standalone server; the driver sends no `txnNumber`).
 * - `atlas`: a MongoDB replica-set primary (Atlas, or a self-hosted replica set). The driver then
 *   treats it as one: sessions, `txnNumber` on retryable writes, waiting for a primary.
 * - `documentdb`: Amazon DocumentDB, a replica set (`rs0`) that refuses retryable writes: any
 *   command carrying `txnNumber` gets code 301 "Retryable writes are not supported"; its
 *   connection strings say `retryWrites=false`.
 * - `cosmos`: Azure Cosmos DB for MongoDB (RU), a replica set (`globaldb`) that answers a write
 *   with code 16500 "Request rate is large … RetryAfterMs=N" while its request units are spent
 *   (the proxy's `throttle` mode).
 */
export type ServerPersonality = 'ferretdb' | 'atlas' | 'documentdb' | 'cosmos';

const REPLICA_SET_NAMES: Record<ServerPersonality, string | undefined> = {
  ferretdb: undefined,
  atlas: 'atlas-order-shard-0',
  documentdb: 'rs0',
  cosmos: 'globaldb',
};

const WRITES = new Set(['insert', 'update', 'delete', 'findandmodify']);
const HELLOS = new Set(['hello', 'ismaster']);

/** Whether `command` is the handshake or monitoring `hello` (or its legacy name). */
export const isHello = (command: Document): boolean =>
  HELLOS.has(commandName(command).toLowerCase());

/**
 * The server's `hello` answer as the personality gives it: a replica set's primary at `me` (the
 * proxy's address, so a driver that discovers members keeps talking through the proxy).
 */
export const helloAs = (personality: ServerPersonality, answer: Document, me: string): Document => {
  const setName = REPLICA_SET_NAMES[personality];
  if (setName === undefined || answer.ok !== 1) return answer;
  return {
    ...answer,
    ...(answer.ismaster === undefined ? { isWritablePrimary: true } : { ismaster: true }),
    secondary: false,
    setName,
    setVersion: 1,
    hosts: [me],
    primary: me,
    me,
  };
};

/** What the proxy does to the server's answers now (see `FaultProxy`'s `throttle` mode). */
export interface PersonalityState {
  /** Writes are being throttled, with this advice to wait. */
  readonly throttleRetryAfterMs?: number;
}

/**
 * The error the personality answers `command` with instead of passing it to the server, or
 * `undefined` to pass it on.
 */
export const refusalOf = (
  personality: ServerPersonality,
  command: Document,
  state: PersonalityState,
): Document | undefined => {
  if (personality === 'documentdb' && command.txnNumber !== undefined) {
    return { ok: 0, code: 301, errmsg: 'Retryable writes are not supported' };
  }
  const name = commandName(command).toLowerCase();
  if (personality === 'cosmos' && state.throttleRetryAfterMs !== undefined && WRITES.has(name)) {
    const retryAfterMs = state.throttleRetryAfterMs;
    return {
      ok: 0,
      code: 16500,
      codeName: 'RequestRateTooLarge',
      errmsg: `Error=16500, RetryAfterMs=${retryAfterMs}, Details='Response status code does not indicate success: TooManyRequests (429); Substatus: 3200; Reason: (Message: {"Errors":["Request rate is large. More Request Units may be needed, so no changes were made. Please retry this request later."]})'`,
    };
  }
  return undefined;
};
