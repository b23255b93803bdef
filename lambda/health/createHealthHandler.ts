import type { Logger } from '@aws-lambda-powertools/logger';
import {
  GetQueueAttributesCommand,
  type QueueAttributeName,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { LambdaFunctionURLResult } from 'aws-lambda';
import type { MongoClient } from 'mongodb';
import { defaultDeploymentSettings } from '../../settings/serviceSettings.js';
import { type CheckOutcome, runBoundedCheck } from './runBoundedCheck.js';

/** What the health check talks to; the entry point builds the real ones, tests pass their own. */
export interface HealthDependencies {
  readonly sqs: SQSClient;
  readonly mongo: MongoClient;
  /** The queue the consumer serves: its reachability is `sqs_connected`. */
  readonly queueUrl: string;
  /** The dead-letter queue: its depth is reported as detail and never fails the check. */
  readonly deadLetterQueueUrl: string;
  /** Database pinged for `db_connected`. */
  readonly databaseName: string;
  readonly logger: Logger;
  /** Bound on each check; default `defaultDeploymentSettings.healthCheckTimeoutMs` (1.5 s). */
  readonly checkTimeoutMs?: number;
}

/** What the health check reads of a Function URL request: its method, nothing else. */
export interface HealthRequest {
  readonly requestContext: { readonly http: { readonly method: string } };
}

/** The health Function URL handler; a Function URL event (payload format 2.0) is a request. */
export type HealthHandler = (event: HealthRequest) => Promise<LambdaFunctionURLResult>;

/**
 * The response body: the legacy contract (`status`, `sqs_connected`, `db_connected`) plus detail.
 * It never holds an error message, an address, a URI or a stack.
 */
export interface HealthBody {
  readonly status: 'healthy' | 'unhealthy';
  readonly sqs_connected: boolean;
  readonly db_connected: boolean;
  /** Messages waiting in the order queue, `null` when it could not be read. */
  readonly queue_depth: number | null;
  /** Messages in the dead-letter queue (visible or being inspected), `null` when unreadable. */
  readonly dlq_depth: number | null;
  /** How long each check took, in milliseconds (a timed-out check shows the bound). */
  readonly latency_ms: { readonly sqs: number; readonly db: number };
  readonly checked_at: string;
}

// The order queue's backlog is what waits; a DLQ's depth is every message in it, including those
// an operator is looking at (received, hence not visible) at the moment.
const BACKLOG: QueueAttributeName[] = ['ApproximateNumberOfMessages'];
const ALL_MESSAGES: QueueAttributeName[] = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
];

const json = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): LambdaFunctionURLResult => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  body: JSON.stringify(body),
});

const countOf = (value: string | undefined): number | null => {
  const count = Number(value);
  return value !== undefined && Number.isSafeInteger(count) && count >= 0 ? count : null;
};

const sumOf = (counts: (number | null)[]): number | null =>
  counts.some((count) => count === null) ? null : counts.reduce<number>((a, b) => a + (b ?? 0), 0);

/**
 * Builds the health handler. `GET` (any path; query and body are ignored) runs three bounded
 * checks concurrently — order queue attributes, DLQ depth, MongoDB `ping` — and answers 200 when
 * the queue and the database answered, else 503 with the failing flag `false`. Every call does the
 * same constant work, whatever the caller sends; other methods get 405 without touching anything.
 */
export const createHealthHandler = (deps: HealthDependencies): HealthHandler => {
  const timeoutMs = deps.checkTimeoutMs ?? defaultDeploymentSettings.healthCheckTimeoutMs;
  const database = deps.mongo.db(deps.databaseName);

  const queueDepth =
    (queueUrl: string, attributes: QueueAttributeName[]) => (abortSignal: AbortSignal) =>
      deps.sqs
        .send(
          new GetQueueAttributesCommand({
            QueueUrl: queueUrl,
            AttributeNames: attributes,
          }),
          { abortSignal },
        )
        .then((output) => sumOf(attributes.map((name) => countOf(output.Attributes?.[name]))));

  // The check's signal aborts server selection, connecting and the command inside the driver
  // (the v7 driver ignores `timeoutMS`); `maxTimeMS` ends it on the server's side.
  // `connect()` first: the v7 driver leaves a client whose first connection failed (a container
  // born during an outage) closed for good until it is called again; on a connected client it
  // returns at once. The connect that fails may be one an earlier check left pending (its bound
  // ended first): one more is then made, within this check's bound.
  const ping = async (signal: AbortSignal) => {
    await deps.mongo.connect().catch(() => deps.mongo.connect());
    return database.command({ ping: 1, maxTimeMS: timeoutMs }, { signal });
  };

  const logFailure = (check: string, outcome: CheckOutcome<unknown>) => {
    if (outcome.ok) return;
    deps.logger.warn('Health check failed', {
      check,
      reason: outcome.reason,
      error: outcome.errorName,
      latencyMs: outcome.latencyMs,
    });
  };

  return async (event) => {
    if (event.requestContext?.http?.method !== 'GET') {
      return json(405, { message: 'Method Not Allowed' }, { allow: 'GET' });
    }
    const [queue, deadLetters, db] = await Promise.all([
      runBoundedCheck(queueDepth(deps.queueUrl, BACKLOG), timeoutMs),
      runBoundedCheck(queueDepth(deps.deadLetterQueueUrl, ALL_MESSAGES), timeoutMs),
      runBoundedCheck(ping, timeoutMs),
    ]);
    logFailure('sqs', queue);
    logFailure('dlq', deadLetters);
    logFailure('db', db);

    const healthy = queue.ok && db.ok;
    const body: HealthBody = {
      status: healthy ? 'healthy' : 'unhealthy',
      sqs_connected: queue.ok,
      db_connected: db.ok,
      queue_depth: queue.ok ? queue.value : null,
      dlq_depth: deadLetters.ok ? deadLetters.value : null,
      latency_ms: { sqs: queue.latencyMs, db: db.latencyMs },
      checked_at: new Date().toISOString(),
    };
    return json(healthy ? 200 : 503, body);
  };
};
