import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { InvocationDeadline } from '../shared/InvocationDeadline.js';
import type { OrdersRepository } from '../shared/OrdersRepository.js';
import { createRecordHandler } from './createRecordHandler.js';

/** Everything the consumer needs, built once per container (or by a test). */
export interface ConsumerDependencies {
  readonly logger: Logger;
  readonly orders: OrdersRepository;
  readonly persistenceStore: BasePersistenceLayer;
  readonly deadline: InvocationDeadline;
  readonly idempotencyExpirySeconds: number;
  /**
   * Connects the MongoDB client if it is not. The v7 driver leaves a client whose first
   * connection failed (a cold start during an outage) closed for good unless `connect()` is called
   * again; on a connected client it returns at once.
   */
  readonly connect?: () => Promise<unknown>;
  readonly now?: () => Date;
  /**
   * Whether a batch's records run at once (the default) or one after another. Sequential exists so
   * `npm run bench` can show what parallel processing buys.
   */
  readonly processInParallel?: boolean;
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
 * Wires the record step into Powertools batch processing: records run in parallel (unless
 * `processInParallel` is false), each failure lands in `batchItemFailures`, and a batch where every
 * record failed is answered (not thrown), so the response always says which records to retry.
 */
export const createConsumerHandler = (deps: ConsumerDependencies): ConsumerHandler => {
  const processor = new BatchProcessor(EventType.SQS);
  const idempotencyConfig = new IdempotencyConfig({
    eventKeyJmesPath: 'order_id',
    payloadValidationJmesPath: '[user_id, items, total_amount, timestamp]',
    expiresAfterSeconds: deps.idempotencyExpirySeconds,
    throwOnNoIdempotencyKey: true,
    // A replay returns what the first delivery stored; mark it so the log tells them apart.
    responseHook: (response) => ({
      ...(response as Record<string, string>),
      outcome: 'already-stored',
    }),
  });
  const handleRecord = createRecordHandler({ ...deps, idempotencyConfig });

  return async (event, context) => {
    deps.deadline.start(context);
    idempotencyConfig.registerLambdaContext(context);
    deps.logger.addContext(context);
    if (deps.connect) {
      // Records still run when this fails: each then fails on its own, with its own reason.
      const failure = await settleWithin(deps.connect(), deps.deadline.operationTimeoutMs() ?? 1);
      if (failure !== undefined) {
        deps.logger.warn('MongoDB is not reachable', {
          error: failure instanceof Error ? failure.name : String(failure),
        });
      }
    }
    const response = await processPartialResponse(event, handleRecord, processor, {
      context,
      processInParallel: deps.processInParallel ?? true,
      throwOnFullBatchFailure: false,
    });
    deps.logger.info('batch processed', {
      records: event.Records.length,
      failed: response.batchItemFailures.length,
    });
    return response;
  };
};
