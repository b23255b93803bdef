import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MetricUnit } from '@aws-lambda-powertools/metrics/types';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describeError } from '../shared/errors.js';
import type { InvocationDeadline } from '../shared/InvocationDeadline.js';
import type { OrderStore } from '../shared/OrderStore.js';
import { describeSettingFault } from './classifyFailure.js';
import { createRecordHandler } from './createRecordHandler.js';
import type { DeadLetterQueue } from './DeadLetterQueue.js';
import { type OrderIdempotency, registerInvocation } from './orderIdempotency.js';

/** What the consumer counts through: Powertools Metrics, or a counter of the local runtime's. */
export interface ConsumerMetrics {
  addMetric(name: string, unit: MetricUnit, value: number): unknown;
  publishStoredMetrics(): unknown;
}

/** Everything the consumer needs, built once per container (or by a test). */
export interface ConsumerDependencies {
  readonly logger: Logger;
  /** Counts each record's outcome; published once per invocation. */
  readonly metrics: ConsumerMetrics;
  readonly orders: OrderStore;
  readonly idempotency: OrderIdempotency;
  /** Where poison records go at once; without it the queue's redrive moves them. */
  readonly deadLetters?: DeadLetterQueue;
  readonly deadline: InvocationDeadline;
  /**
   * Connects the MongoDB client if it is not. The v7 driver leaves a client whose first
   * connection failed (a cold start during an outage) closed for good unless `connect()` is called
   * again; on a connected client it returns at once.
   */
  readonly connect?: () => Promise<unknown>;
  /**
   * Makes the indexes the store needs; started once, with the first invocation, and never waited
   * for: orders do not depend on it (a failure is logged by the store).
   */
  readonly ensureIndexes?: () => Promise<unknown>;
  /** Pauses between MongoDB retries inside an invocation; see `createRecordHandler`. */
  readonly retryDelaysMs?: readonly number[];
  readonly sleep?: (ms: number) => Promise<unknown>;
  readonly now?: () => Date;
}

/** Waits for `work` at most `ms`; its failure or lateness is reported, not thrown. */
const settleWithin = async (work: Promise<unknown>, ms: number): Promise<unknown> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise((resolve) => {
    timer = setTimeout(() => resolve(new Error(`not done within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => undefined,
        (error: unknown) => error,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
};

/** The consumer Lambda's handler signature. */
export type ConsumerHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * Wires the record step into Powertools batch processing: records run at once (their MongoDB
 * writes coalesced into one command per step), each failure lands in `batchItemFailures`, and a
 * batch where every record failed is answered (not thrown), so the response always says which
 * records to retry. The invocation's metrics are published as it ends.
 */
export const createConsumerHandler = (deps: ConsumerDependencies): ConsumerHandler => {
  const processor = new BatchProcessor(EventType.SQS);
  const handleRecord = createRecordHandler(deps);
  let indexesStarted = false;

  return async (event, context) => {
    deps.deadline.start(context);
    registerInvocation(deps.idempotency, context);
    deps.logger.addContext(context);
    try {
      if (deps.connect) {
        // Records still run when this fails: each then fails on its own, with its own reason.
        const failure = await settleWithin(deps.connect(), deps.deadline.operationTimeoutMs() ?? 1);
        if (failure !== undefined) {
          // A setting at fault fails every record alike: said here once, not in each record's line.
          const fault = describeSettingFault(failure);
          const error = describeError(failure);
          if (fault === undefined) deps.logger.warn('MongoDB is not reachable', { error });
          else deps.logger.error(fault, { error });
        }
      }
      if (!indexesStarted) {
        indexesStarted = true;
        void deps.ensureIndexes?.().catch(() => undefined);
      }
      const response = await processPartialResponse(event, handleRecord, processor, {
        context,
        processInParallel: true,
        throwOnFullBatchFailure: false,
      });
      deps.logger.info('batch processed', {
        records: event.Records.length,
        failed: response.batchItemFailures.length,
      });
      return response;
    } finally {
      deps.metrics.publishStoredMetrics();
    }
  };
};
