import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createConsumerHandler } from '../../../../lambda/consumer/createConsumerHandler.js';
import { DeadLetterQueue } from '../../../../lambda/consumer/DeadLetterQueue.js';
import { orderIdempotency } from '../../../../lambda/consumer/orderIdempotency.js';
import { InvocationDeadline } from '../../../../lambda/shared/InvocationDeadline.js';
import type { OrderStore, StoreOutcome } from '../../../../lambda/shared/OrderStore.js';
import { CountingMetrics } from '../../../../local/runtime/CountingMetrics.js';
import { createCapturingLogger } from '../../../helpers/consumerHarness.js';
import {
  lambdaContextFactory,
  orderEventFactory,
  sqsEventFactory,
  sqsRecordFactory,
} from '../../../helpers/factories.js';

// The idempotency store is not what this test is about (as in createConsumerHandler.test.ts).
beforeEach(() => {
  vi.stubEnv('POWERTOOLS_IDEMPOTENCY_DISABLED', 'true');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const stores: OrderStore = {
  insertOnce: async (): Promise<StoreOutcome> => ({ outcome: 'created' }),
  ensureStored: async (): Promise<StoreOutcome> => ({
    outcome: 'already-stored',
    existingStatus: 'PROCESSED',
  }),
};

describe('createConsumerHandler, a dead letter SQS does not answer', () => {
  it('still answers before the Lambda deadline, with the poison record failed and its batch-mate stored', async () => {
    // Prepare: SQS takes the SendMessageBatch request and never answers (the SDK client has no
    // request timeout of its own), as the MongoDB deadline covers the database only
    const { logger } = createCapturingLogger();
    const handler = createConsumerHandler({
      logger,
      metrics: new CountingMetrics(),
      orders: stores,
      idempotency: orderIdempotency({} as BasePersistenceLayer, 3_600),
      deadline: new InvocationDeadline({ reserveMs: 500 }),
      deadLetters: new DeadLetterQueue({
        queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/order-queue-dlq',
        sendMessageBatch: () => new Promise(() => undefined),
      }),
    });
    const valid = sqsRecordFactory(orderEventFactory());
    const invalid = sqsRecordFactory('not json');
    const lambdaTimeoutMs = 1_500;

    // Act
    const answer = await Promise.race([
      handler(sqsEventFactory([valid, invalid]), lambdaContextFactory(lambdaTimeoutMs)),
      new Promise((resolve) =>
        setTimeout(() => resolve('killed by the Lambda timeout'), lambdaTimeoutMs),
      ),
    ]);

    // Assess: without an answer the whole batch comes back, the stored order included
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: invalid.messageId }] });
  });
});
