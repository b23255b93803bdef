import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createConsumerHandler } from '../../../lambda/consumer/createConsumerHandler.js';
import { DeadLetterQueue } from '../../../lambda/consumer/DeadLetterQueue.js';
import { orderIdempotency } from '../../../lambda/consumer/orderIdempotency.js';
import { InvocationDeadline } from '../../../lambda/shared/InvocationDeadline.js';
import type { OrderStore, StoreOutcome } from '../../../lambda/shared/OrderStore.js';
import { CountingMetrics } from '../../../local/runtime/CountingMetrics.js';
import { createCapturingLogger } from '../../helpers/consumerHarness.js';
import {
  lambdaContextFactory,
  orderEventFactory,
  sqsEventFactory,
  sqsRecordFactory,
} from '../../helpers/factories.js';

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
    // Prepare: SQS takes the SendMessageBatch request and never answers, and the sender ignores
    // the abort signal: the dead-letter queue gives up at the invocation's deadline anyway
    const { logger } = createCapturingLogger();
    const deadline = new InvocationDeadline({ reserveMs: 1_000 });
    const handler = createConsumerHandler({
      logger,
      metrics: new CountingMetrics(),
      orders: stores,
      idempotency: orderIdempotency({} as BasePersistenceLayer, 3_600),
      deadline,
      deadLetters: new DeadLetterQueue({
        queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/order-queue-dlq',
        sendMessageBatch: () => new Promise(() => undefined),
        timeoutMs: () => deadline.operationTimeoutMs(),
      }),
    });
    const valid = sqsRecordFactory(orderEventFactory());
    const invalid = sqsRecordFactory('not json');
    const lambdaTimeoutMs = 2_000;

    // Act
    const answer = await Promise.race([
      handler(sqsEventFactory([valid, invalid]), lambdaContextFactory(lambdaTimeoutMs)),
      new Promise((resolve) =>
        setTimeout(() => resolve('killed by the Lambda timeout'), lambdaTimeoutMs),
      ),
    ]);

    // Assess: an answer, so only the poison record comes back (without one, the whole batch
    // would, the stored order included)
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: invalid.messageId }] });
  });
});
