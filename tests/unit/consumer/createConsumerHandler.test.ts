import { setTimeout as sleep } from 'node:timers/promises';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Collection } from 'mongodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createConsumerHandler } from '../../../lambda/consumer/createConsumerHandler.js';
import { OrderConflictError } from '../../../lambda/shared/errors.js';
import { InvocationDeadline } from '../../../lambda/shared/InvocationDeadline.js';
import { createLogger } from '../../../lambda/shared/logger.js';
import { type InsertOutcome, OrdersRepository } from '../../../lambda/shared/OrdersRepository.js';
import type { OrderDocument } from '../../../lambda/shared/orderDocument.js';
import {
  lambdaContextFactory,
  orderEventFactory,
  sqsEventFactory,
  sqsRecordFactory,
} from '../../helpers/factories.js';

/** An orders repository without a database: it notes when each write starts and ends. */
class RecordingOrdersRepository extends OrdersRepository {
  readonly steps: string[] = [];

  constructor(private readonly delayMs: (orderId: string) => number) {
    super({ collection: {} as Collection<OrderDocument> });
  }

  override async insertOnce(order: OrderDocument): Promise<InsertOutcome> {
    this.steps.push(`start ${order._id}`);
    await sleep(this.delayMs(order._id));
    this.steps.push(`end ${order._id}`);
    return { outcome: 'created' };
  }
}

// The idempotency store is not what these tests are about: with Powertools idempotency disabled
// the record step calls the write directly, and the persistence layer is never touched.
beforeEach(() => {
  vi.stubEnv('POWERTOOLS_IDEMPOTENCY_DISABLED', 'true');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const consumerWith = (orders: OrdersRepository, processInParallel?: boolean) =>
  createConsumerHandler({
    logger: createLogger('order-consumer-test', 'SILENT'),
    orders,
    persistenceStore: {} as BasePersistenceLayer,
    deadline: new InvocationDeadline(),
    idempotencyExpirySeconds: 3_600,
    ...(processInParallel === undefined ? {} : { processInParallel }),
  });

// Earlier records take longer, so records running at once would finish in reverse order.
const slowerFirst = (orderId: string) => ({ A: 30, B: 20, C: 10 })[orderId] ?? 0;
const batchOf = (...orderIds: string[]) =>
  sqsEventFactory(orderIds.map((id) => sqsRecordFactory(orderEventFactory({ order_id: id }))));

describe('createConsumerHandler, processInParallel', () => {
  it('runs the records of a batch at once by default', async () => {
    // Prepare
    const orders = new RecordingOrdersRepository(slowerFirst);

    // Act
    await consumerWith(orders)(batchOf('A', 'B', 'C'), lambdaContextFactory());

    // Assess
    expect(orders.steps.slice(0, 3)).toEqual(['start A', 'start B', 'start C']);
  });

  it('runs them one after another, in order, when false', async () => {
    // Prepare
    const orders = new RecordingOrdersRepository(slowerFirst);

    // Act
    const response = await consumerWith(orders, false)(
      batchOf('A', 'B', 'C'),
      lambdaContextFactory(),
    );

    // Assess
    expect(orders.steps).toEqual(['start A', 'end A', 'start B', 'end B', 'start C', 'end C']);
    expect(response.batchItemFailures).toEqual([]);
  });

  it('still reports a failed record and goes on with the next ones when false', async () => {
    // Prepare
    const orders = new RecordingOrdersRepository(() => 0);
    const invalid = sqsRecordFactory('{"order_id": ');
    const event = sqsEventFactory([
      sqsRecordFactory(orderEventFactory({ order_id: 'A' })),
      invalid,
      sqsRecordFactory(orderEventFactory({ order_id: 'C' })),
    ]);

    // Act
    const response = await consumerWith(orders, false)(event, lambdaContextFactory());

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: invalid.messageId }]);
    expect(orders.steps).toEqual(['start A', 'end A', 'start C', 'end C']);
  });
});

/** An orders repository whose writes fail with `errors`, in turn, then succeed. */
class FailingOrdersRepository extends OrdersRepository {
  attempts = 0;

  constructor(private readonly errors: Error[]) {
    super({ collection: {} as Collection<OrderDocument> });
  }

  override async insertOnce(): Promise<InsertOutcome> {
    const error = this.errors[this.attempts++];
    if (error !== undefined) throw error;
    return { outcome: 'created' };
  }
}

const reset = () => new Error('read ECONNRESET');

describe('createConsumerHandler, retries inside the invocation', () => {
  it('stores the order on a second attempt when MongoDB failed the first', async () => {
    const orders = new FailingOrdersRepository([reset()]);

    const response = await consumerWith(orders)(batchOf('A'), lambdaContextFactory());

    expect(response.batchItemFailures).toEqual([]);
    expect(orders.attempts).toBe(2);
  });

  it('gives up after three attempts, leaving the record to the queue', async () => {
    const orders = new FailingOrdersRepository([reset(), reset(), reset(), reset()]);
    const event = batchOf('A');

    const response = await consumerWith(orders)(event, lambdaContextFactory());

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    expect(orders.attempts).toBe(3);
  });

  it('does not retry when too little of the invocation is left', async () => {
    const orders = new FailingOrdersRepository([reset()]);

    const response = await consumerWith(orders)(batchOf('A'), lambdaContextFactory(1_500));

    expect(response.batchItemFailures).toHaveLength(1);
    expect(orders.attempts).toBe(1);
  });

  it('never retries a conflict: another attempt cannot succeed', async () => {
    const orders = new FailingOrdersRepository([new OrderConflictError('A', 'user_id differs')]);

    const response = await consumerWith(orders)(batchOf('A'), lambdaContextFactory());

    expect(response.batchItemFailures).toHaveLength(1);
    expect(orders.attempts).toBe(1);
  });
});
