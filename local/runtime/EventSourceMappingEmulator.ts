import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { describeError } from '../../lambda/shared/errors.js';
import { createLambdaContext } from './createLambdaContext.js';
import { interpretBatchResponse } from './interpretBatchResponse.js';
import { toSqsEventRecord } from './toSqsEventRecord.js';

/** A function handler as the emulator calls it; the response is checked, not trusted. */
export type SqsFunctionHandler = (event: SQSEvent, context: Context) => Promise<unknown>;

/** One simulated execution environment: initialised once, reused by every invocation it serves. */
export interface FunctionContainer {
  readonly handler: SqsFunctionHandler;
  /** Releases what the initialisation opened (MongoDB client, …). */
  dispose(): Promise<void>;
}

/** Runs a function's initialisation (its module scope) for a new container. */
export type ContainerFactory = (containerId: string) => Promise<FunctionContainer>;

/** What became of one invocation. */
export type InvocationOutcome =
  | 'success'
  | 'partial-failure'
  | 'handler-error'
  | 'invalid-response'
  | 'timeout'
  | 'init-error';

/** One invocation, as reported to {@link EventSourceMappingOptions.onInvocation}. */
export interface InvocationReport {
  readonly requestId: string;
  readonly poller: number;
  readonly containerId: string | undefined;
  readonly outcome: InvocationOutcome;
  readonly messageIds: readonly string[];
  /** Records deleted from the queue after the invocation. */
  readonly deletedMessageIds: readonly string[];
  /** Why the batch failed as a whole (error message, invalid response, timeout). */
  readonly reason?: string;
  readonly durationMs: number;
}

/** Counters since start; a snapshot is returned by {@link EventSourceMappingEmulator.stats}. */
export interface EventSourceMappingStats {
  messagesReceived: number;
  /** Received records whose `ApproximateReceiveCount` was above 1: retries the queue made. */
  redeliveries: number;
  invocations: number;
  succeededBatches: number;
  partialBatches: number;
  /** Batches nothing was deleted from: handler errors, invalid responses, timeouts, init errors. */
  failedBatches: number;
  handlerErrors: number;
  invalidResponses: number;
  timeouts: number;
  /** Containers thrown away after a timeout, as Lambda resets an environment that timed out. */
  containersDiscarded: number;
  recordsDeleted: number;
  /** Records the handler listed in `batchItemFailures`. */
  recordsReportedFailed: number;
}

/** The logger the emulator reports through. */
export type EmulatorLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** Options of {@link EventSourceMappingEmulator}. */
export interface EventSourceMappingOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** The queue's ARN for `eventSourceARN`; read from the queue when omitted. */
  readonly queueArn?: string;
  readonly region: string;
  /** Builds one container per poller, lazily, and again after a timeout or failed init. */
  readonly createContainer: ContainerFactory;
  /** Most records per invocation (`BatchSize`). */
  readonly batchSize: number;
  /** How long to gather records once the first arrived (`MaximumBatchingWindowInSeconds`). */
  readonly maxBatchingWindowSeconds: number;
  /** Function timeout: drives `getRemainingTimeInMillis()`, and a slower invocation fails. */
  readonly functionTimeoutMs: number;
  /** Concurrent pollers, each invoking its own container one batch at a time. */
  readonly pollers: number;
  readonly functionName?: string;
  /** Long-poll wait of each receive; Lambda uses 20 s. */
  readonly waitTimeSeconds?: number;
  readonly logger: EmulatorLogger;
  /** Called after every invocation, its deletes done. */
  readonly onInvocation?: (report: InvocationReport) => void;
  /** Longest pause between receives after receive errors (the endpoint is down). */
  readonly maxReceiveBackoffMs?: number;
}

const MAX_RECEIVE = 10;

const zeroStats = (): EventSourceMappingStats => ({
  messagesReceived: 0,
  redeliveries: 0,
  invocations: 0,
  succeededBatches: 0,
  partialBatches: 0,
  failedBatches: 0,
  handlerErrors: 0,
  invalidResponses: 0,
  timeouts: 0,
  containersDiscarded: 0,
  recordsDeleted: 0,
  recordsReportedFailed: 0,
});

type Settled =
  | { readonly kind: 'returned'; readonly value: unknown }
  | { readonly kind: 'unserialisable'; readonly reason: string }
  | { readonly kind: 'threw'; readonly error: unknown }
  | { readonly kind: 'timed-out' };

/**
 * Lambda's SQS event source mapping, in process: pollers long-poll the queue, gather a batch
 * (batch size, batching window), invoke the function in their own container with a Lambda-like
 * context, and delete exactly the records the response does not list in `batchItemFailures`.
 *
 * As on AWS: a handler error, an invalid response or a timeout fails the whole batch and nothing
 * is deleted; the emulator never changes a message's visibility nor moves it to the DLQ, the
 * queue's visibility timeout and redrive policy do; a container that timed out is discarded and
 * the next invocation initialises a new one.
 *
 * Differences, on purpose: the number of pollers is fixed (Lambda scales them with the backlog
 * and backs off after errors), and the batching window may overrun by up to a second because SQS
 * long polls wait in whole seconds.
 */
export class EventSourceMappingEmulator {
  readonly #options: EventSourceMappingOptions;
  readonly #stats = zeroStats();
  readonly #abort = new AbortController();
  readonly #containers = new Map<number, { id: string; container: FunctionContainer }>();
  readonly #disposals = new Set<Promise<void>>();
  #queueArn: string | undefined;
  #pollers: Promise<void>[] = [];
  #stopping = false;

  constructor(options: EventSourceMappingOptions) {
    if (!Number.isInteger(options.pollers) || options.pollers < 1) {
      throw new RangeError('pollers must be a whole number of at least 1');
    }
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
      throw new RangeError('batchSize must be a whole number of at least 1');
    }
    this.#options = options;
    this.#queueArn = options.queueArn;
  }

  /** Starts the pollers. Resolves once the queue's ARN is known and polling has begun. */
  async start(): Promise<void> {
    if (this.#pollers.length > 0) throw new Error('the emulator is already started');
    if (this.#queueArn === undefined) {
      const { Attributes } = await this.#options.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: this.#options.queueUrl,
          AttributeNames: ['QueueArn'],
        }),
      );
      this.#queueArn = Attributes?.QueueArn;
      if (this.#queueArn === undefined) throw new Error('the queue has no QueueArn');
    }
    for (let poller = 0; poller < this.#options.pollers; poller++) {
      this.#pollers.push(this.#poll(poller));
    }
  }

  /**
   * Stops receiving (long polls in flight are abandoned), lets invocations in progress finish and
   * delete, then disposes of the containers.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#abort.abort();
    await Promise.all(this.#pollers);
    await Promise.all([...this.#containers.values()].map(({ container }) => container.dispose()));
    this.#containers.clear();
    await Promise.all(this.#disposals);
  }

  /** A copy of the counters. */
  stats(): EventSourceMappingStats {
    return { ...this.#stats };
  }

  async #poll(poller: number): Promise<void> {
    let backoffMs = 0;
    while (!this.#stopping) {
      let messages: Message[];
      try {
        messages = await this.#gather();
        backoffMs = 0;
      } catch (error) {
        if (this.#stopping) break;
        backoffMs = Math.min(this.#options.maxReceiveBackoffMs ?? 10_000, (backoffMs || 250) * 2);
        this.#options.logger.warn('receive failed; retrying', {
          poller,
          error: describeError(error),
          retryInMs: backoffMs,
        });
        await sleep(backoffMs, undefined, { signal: this.#abort.signal }).catch(() => undefined);
        continue;
      }
      if (messages.length > 0) await this.#invoke(poller, messages);
    }
  }

  async #receive(max: number, waitTimeSeconds: number): Promise<Message[]> {
    const { Messages = [] } = await this.#options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.#options.queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitTimeSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: this.#abort.signal },
    );
    this.#stats.messagesReceived += Messages.length;
    for (const message of Messages) {
      if (Number(message.Attributes?.ApproximateReceiveCount ?? '1') > 1) {
        this.#stats.redeliveries++;
      }
    }
    return Messages;
  }

  /** One long poll, then more receives until the batch is full or the window has passed. */
  async #gather(): Promise<Message[]> {
    const { batchSize, maxBatchingWindowSeconds } = this.#options;
    const batch = await this.#receive(
      Math.min(MAX_RECEIVE, batchSize),
      this.#options.waitTimeSeconds ?? 20,
    );
    if (batch.length === 0) return batch;
    const windowEnds = Date.now() + maxBatchingWindowSeconds * 1000;
    while (batch.length < batchSize && !this.#stopping) {
      const leftMs = windowEnds - Date.now();
      if (leftMs <= 0) break;
      try {
        batch.push(
          ...(await this.#receive(
            Math.min(MAX_RECEIVE, batchSize - batch.length),
            Math.min(20, Math.ceil(leftMs / 1000)),
          )),
        );
      } catch (error) {
        // What was gathered is in flight on the queue; invoke with it rather than drop it.
        if (!this.#stopping) {
          this.#options.logger.warn('receive failed while gathering a batch', {
            error: describeError(error),
          });
        }
        break;
      }
    }
    return batch;
  }

  async #container(poller: number): Promise<{ id: string; container: FunctionContainer }> {
    const existing = this.#containers.get(poller);
    if (existing !== undefined) return existing;
    const id = `${poller}-${randomUUID().slice(0, 8)}`;
    const container = await this.#options.createContainer(id);
    const entry = { id, container };
    this.#containers.set(poller, entry);
    return entry;
  }

  #discard(poller: number): void {
    const entry = this.#containers.get(poller);
    if (entry === undefined) return;
    this.#containers.delete(poller);
    this.#stats.containersDiscarded++;
    // Lambda kills a timed-out environment; closing its clients is the nearest equivalent here.
    const disposal = entry.container
      .dispose()
      .catch((error: unknown) =>
        this.#options.logger.warn('disposing a container failed', {
          containerId: entry.id,
          error: describeError(error),
        }),
      )
      .finally(() => this.#disposals.delete(disposal));
    this.#disposals.add(disposal);
  }

  async #invoke(poller: number, messages: Message[]): Promise<void> {
    const started = Date.now();
    const requestId = randomUUID();
    const queueArn = this.#queueArn ?? '';
    const records: SQSRecord[] = messages.map((message) =>
      toSqsEventRecord(message, { queueArn, region: this.#options.region }),
    );
    const messageIds = records.map((record) => record.messageId);
    this.#stats.invocations++;

    let containerId: string | undefined;
    let settled: Settled;
    try {
      const entry = await this.#container(poller);
      containerId = entry.id;
      settled = await this.#run(entry.container.handler, { Records: records }, requestId, entry.id);
    } catch (error) {
      return this.#finish(poller, records, started, requestId, containerId, {
        outcome: 'init-error',
        reason: describeError(error),
      });
    }

    if (settled.kind === 'timed-out') {
      this.#stats.timeouts++;
      this.#discard(poller);
      return this.#finish(poller, records, started, requestId, containerId, {
        outcome: 'timeout',
        reason: `Task timed out after ${(this.#options.functionTimeoutMs / 1000).toFixed(2)} seconds`,
      });
    }
    if (settled.kind === 'threw') {
      this.#stats.handlerErrors++;
      return this.#finish(poller, records, started, requestId, containerId, {
        outcome: 'handler-error',
        reason: describeError(settled.error),
      });
    }
    const verdict =
      settled.kind === 'unserialisable'
        ? { kind: 'invalid-response' as const, reason: `response is not JSON: ${settled.reason}` }
        : interpretBatchResponse(settled.value, new Set(messageIds));
    if (verdict.kind === 'invalid-response') {
      this.#stats.invalidResponses++;
      return this.#finish(poller, records, started, requestId, containerId, {
        outcome: 'invalid-response',
        reason: verdict.reason,
      });
    }
    this.#stats.recordsReportedFailed += verdict.failedMessageIds.size;
    const toDelete = records.filter((record) => !verdict.failedMessageIds.has(record.messageId));
    const deleted = await this.#delete(toDelete);
    return this.#finish(poller, records, started, requestId, containerId, {
      outcome: verdict.failedMessageIds.size === 0 ? 'success' : 'partial-failure',
      deleted,
    });
  }

  /** Calls the handler as the Lambda runtime does: JSON out, JSON back, bounded by the timeout. */
  async #run(
    handler: SqsFunctionHandler,
    event: SQSEvent,
    requestId: string,
    containerId: string,
  ): Promise<Settled> {
    const timeoutMs = this.#options.functionTimeoutMs;
    const context = createLambdaContext({
      functionName: this.#options.functionName ?? 'order-consumer',
      region: this.#options.region,
      requestId,
      timeoutMs,
      logStreamName: `local/[$LATEST]${containerId}`,
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<Settled>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'timed-out' }), timeoutMs);
    });
    const ran = Promise.resolve()
      .then(() => handler(structuredClone(event), context))
      .then(
        (value): Settled => {
          // The runtime serialises the response; what does not survive JSON is not a response.
          try {
            const json = JSON.stringify(value);
            return { kind: 'returned', value: json === undefined ? null : JSON.parse(json) };
          } catch (error) {
            return { kind: 'unserialisable', reason: describeError(error) };
          }
        },
        (error: unknown): Settled => ({ kind: 'threw', error }),
      );
    try {
      return await Promise.race([ran, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #delete(records: SQSRecord[]): Promise<string[]> {
    const deleted: string[] = [];
    for (let start = 0; start < records.length; start += MAX_RECEIVE) {
      const chunk = records.slice(start, start + MAX_RECEIVE);
      try {
        const { Successful = [], Failed = [] } = await this.#options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.#options.queueUrl,
            Entries: chunk.map((record, index) => ({
              Id: String(index),
              ReceiptHandle: record.receiptHandle,
            })),
          }),
        );
        for (const entry of Successful) {
          const record = chunk[Number(entry.Id)];
          if (record !== undefined) deleted.push(record.messageId);
        }
        if (Failed.length > 0) {
          this.#options.logger.warn('some records could not be deleted; they will be redelivered', {
            failed: Failed.map((entry) => ({
              messageId: chunk[Number(entry.Id)]?.messageId,
              code: entry.Code,
            })),
          });
        }
      } catch (error) {
        this.#options.logger.warn('deleting records failed; they will be redelivered', {
          records: chunk.length,
          error: describeError(error),
        });
      }
    }
    this.#stats.recordsDeleted += deleted.length;
    return deleted;
  }

  #finish(
    poller: number,
    records: SQSRecord[],
    started: number,
    requestId: string,
    containerId: string | undefined,
    result: { outcome: InvocationOutcome; reason?: string; deleted?: string[] },
  ): void {
    const deleted = result.deleted ?? [];
    if (result.outcome === 'success') this.#stats.succeededBatches++;
    else if (result.outcome === 'partial-failure') this.#stats.partialBatches++;
    else {
      this.#stats.failedBatches++;
    }
    const report: InvocationReport = {
      requestId,
      poller,
      containerId,
      outcome: result.outcome,
      messageIds: records.map((record) => record.messageId),
      deletedMessageIds: deleted,
      durationMs: Date.now() - started,
      ...(result.reason === undefined ? {} : { reason: result.reason }),
    };
    const keys = {
      requestId,
      poller,
      outcome: report.outcome,
      records: records.length,
      deleted: deleted.length,
      durationMs: report.durationMs,
      ...(result.reason === undefined ? {} : { reason: result.reason }),
    };
    if (result.outcome === 'success' || result.outcome === 'partial-failure') {
      this.#options.logger.debug('invocation finished', keys);
    } else {
      this.#options.logger.warn(
        'invocation failed; nothing deleted, the queue will redeliver',
        keys,
      );
    }
    this.#options.onInvocation?.(report);
  }
}
