import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { SendMessageBatchRequest } from '@aws-sdk/client-sqs';
import { MongoNetworkError, MongoServerError } from 'mongodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type ConsumerDependencies,
  createConsumerHandler,
} from '../../../lambda/consumer/createConsumerHandler.js';
import {
  DEAD_LETTER_ATTRIBUTES,
  DeadLetterQueue,
  type SendMessageBatch,
} from '../../../lambda/consumer/DeadLetterQueue.js';
import { orderIdempotency } from '../../../lambda/consumer/orderIdempotency.js';
import {
  CONSUMER_SERVICE_NAME,
  ORDER_METRICS,
  ORDER_METRICS_NAMESPACE,
} from '../../../lambda/consumer/orderMetrics.js';
import { OrderConflictError } from '../../../lambda/shared/errors.js';
import { InvocationDeadline } from '../../../lambda/shared/InvocationDeadline.js';
import type { OrderStore, StoreOutcome } from '../../../lambda/shared/OrderStore.js';
import type { OrderDocument } from '../../../lambda/shared/orderDocument.js';
import { CountingMetrics } from '../../../local/runtime/CountingMetrics.js';
import { createCapturingLogger } from '../../helpers/consumerHarness.js';
import {
  lambdaContextFactory,
  orderEventFactory,
  sqsEventFactory,
  sqsRecordFactory,
} from '../../helpers/factories.js';

/** An order store without a database: each write runs `write`, and every call is noted. */
class FakeOrderStore implements OrderStore {
  readonly steps: string[] = [];
  attempts = 0;

  constructor(private readonly write: (order: OrderDocument) => Promise<StoreOutcome>) {}

  async insertOnce(order: OrderDocument): Promise<StoreOutcome> {
    this.attempts++;
    this.steps.push(`start ${order._id}`);
    const outcome = await this.write(order);
    this.steps.push(`end ${order._id}`);
    return outcome;
  }

  async ensureStored(): Promise<StoreOutcome> {
    throw new Error('not replayed: idempotency is off in these tests');
  }
}

const created = async (): Promise<StoreOutcome> => ({ outcome: 'created' });
/** Writes that fail with `errors`, in turn, then succeed. */
const failingWith = (errors: Error[]) => {
  let attempt = 0;
  return async (): Promise<StoreOutcome> => {
    const error = errors[attempt++];
    if (error !== undefined) throw error;
    return { outcome: 'created' };
  };
};

// The idempotency store is not what these tests are about: with Powertools idempotency disabled
// the record step calls the write directly, and the persistence layer is never touched.
beforeEach(() => {
  vi.stubEnv('POWERTOOLS_IDEMPOTENCY_DISABLED', 'true');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const sleeps: number[] = [];
const consumerWith = (orders: OrderStore, overrides: Partial<ConsumerDependencies> = {}) => {
  const metrics = new CountingMetrics();
  const { logger, lines } = createCapturingLogger();
  // The invocation's clock moves only when the consumer pauses.
  let clock = 0;
  const handler = createConsumerHandler({
    logger,
    metrics,
    orders,
    idempotency: orderIdempotency({} as BasePersistenceLayer, 3_600),
    deadline: new InvocationDeadline({ now: () => clock }),
    // Pauses are noted and move the clock, not waited for.
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    ...overrides,
  });
  return { handler, metrics: metrics.counts, lines };
};

// Earlier records take longer, so records running at once would finish in reverse order.
const slowerFirst = (order: OrderDocument) =>
  new Promise<StoreOutcome>((resolve) =>
    setTimeout(() => resolve({ outcome: 'created' }), { A: 30, B: 20, C: 10 }[order._id] ?? 0),
  );
const batchOf = (...orderIds: string[]) =>
  sqsEventFactory(orderIds.map((id) => sqsRecordFactory(orderEventFactory({ order_id: id }))));

describe('createConsumerHandler, records of a batch', () => {
  it('runs them at once, so their writes can share one command', async () => {
    // Prepare
    const orders = new FakeOrderStore(slowerFirst);

    // Act
    await consumerWith(orders).handler(batchOf('A', 'B', 'C'), lambdaContextFactory());

    // Assess
    expect(orders.steps.slice(0, 3)).toEqual(['start A', 'start B', 'start C']);
  });

  it('reports a failed record and stores its batch-mates', async () => {
    const orders = new FakeOrderStore(created);
    const invalid = sqsRecordFactory('{"order_id": ');
    const event = sqsEventFactory([
      sqsRecordFactory(orderEventFactory({ order_id: 'A' })),
      invalid,
      sqsRecordFactory(orderEventFactory({ order_id: 'C' })),
    ]);

    const response = await consumerWith(orders).handler(event, lambdaContextFactory());

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: invalid.messageId }]);
    expect(orders.steps.filter((step) => step.startsWith('end')).sort()).toEqual([
      'end A',
      'end C',
    ]);
  });
});

const reset = () => new MongoNetworkError('read ECONNRESET');

describe('createConsumerHandler, retries inside the invocation', () => {
  beforeEach(() => {
    sleeps.length = 0;
  });

  it('stores the order on a second attempt when MongoDB failed the first', async () => {
    const orders = new FakeOrderStore(failingWith([reset()]));

    const { handler, metrics } = consumerWith(orders);
    const response = await handler(batchOf('A'), lambdaContextFactory());

    expect(response.batchItemFailures).toEqual([]);
    expect(orders.attempts).toBe(2);
    expect(sleeps).toEqual([100]);
    expect(metrics.get(ORDER_METRICS.mongoRetries)).toBe(1);
  });

  it('backs off while the invocation has time, then leaves the record to the queue in time to answer', async () => {
    // Prepare: MongoDB fails every attempt; 10 s left, 1 s of which is kept to answer
    const orders = new FakeOrderStore(failingWith(Array.from({ length: 20 }, reset)));
    const event = batchOf('A');

    // Act
    const response = await consumerWith(orders).handler(event, lambdaContextFactory(10_000));

    // Assess: pauses double to 2 s; no attempt starts with less than 1 s left after its pause
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    expect(sleeps).toEqual([100, 200, 400, 800, 1_600, 2_000, 2_000]);
    expect(orders.attempts).toBe(8);
  });

  it('waits as long as a throttling server asks, and counts it as a retry, not an internal error', async () => {
    // Prepare: Cosmos DB's answer while its request units are spent, twice
    const throttled = () =>
      new MongoServerError({
        message: "Error=16500, RetryAfterMs=250, Details='Request rate is large'",
        code: 16500,
      });
    const orders = new FakeOrderStore(failingWith([throttled(), throttled()]));

    // Act
    const { handler, metrics } = consumerWith(orders);
    const response = await handler(batchOf('A'), lambdaContextFactory());

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(sleeps).toEqual([250, 250]);
    expect(metrics.get(ORDER_METRICS.mongoRetries)).toBe(2);
    expect(metrics.get(ORDER_METRICS.internalErrors)).toBeUndefined();
  });

  it('does not retry when too little of the invocation is left', async () => {
    const orders = new FakeOrderStore(failingWith([reset()]));

    const response = await consumerWith(orders).handler(batchOf('A'), lambdaContextFactory(1_500));

    expect(response.batchItemFailures).toHaveLength(1);
    expect(orders.attempts).toBe(1);
  });

  it('never retries a conflict: another attempt cannot succeed', async () => {
    const orders = new FakeOrderStore(
      failingWith([new OrderConflictError('A', 'user_id differs')]),
    );

    const response = await consumerWith(orders).handler(batchOf('A'), lambdaContextFactory());

    expect(response.batchItemFailures).toHaveLength(1);
    expect(orders.attempts).toBe(1);
  });

  it('never retries an unknown error, and logs it with its stack as an internal error', async () => {
    // Prepare: a bug in the write
    const orders = new FakeOrderStore(failingWith([new TypeError('undefined is not a function')]));
    const event = batchOf('A');

    // Act
    const { handler, metrics, lines } = consumerWith(orders);
    const response = await handler(event, lambdaContextFactory());

    // Assess
    expect(response.batchItemFailures).toHaveLength(1);
    expect(orders.attempts).toBe(1);
    expect(metrics.get(ORDER_METRICS.internalErrors)).toBe(1);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        reason: 'internal-error',
        error: expect.objectContaining({
          name: 'TypeError',
          message: 'undefined is not a function',
          stack: expect.stringContaining('TypeError'),
        }),
      }),
    );
  });
});

/** A `SendMessageBatch` that notes its requests and answers as `answer` says. */
const recordingSender = (
  answer: (request: SendMessageBatchRequest) => ReturnType<SendMessageBatch> = async (request) => ({
    Successful: (request.Entries ?? []).map((entry) => ({
      Id: entry.Id,
      MessageId: `dlq-${entry.Id}`,
      MD5OfMessageBody: '',
    })),
    Failed: [],
  }),
) => {
  const requests: SendMessageBatchRequest[] = [];
  const send: SendMessageBatch = (request) => {
    requests.push(request);
    return answer(request);
  };
  return { requests, send };
};

const deadLettersWith = (send: SendMessageBatch) =>
  new DeadLetterQueue({
    queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/order-queue-dlq',
    sendMessageBatch: send,
    now: () => new Date('2026-11-30T12:00:00Z'),
  });

describe('createConsumerHandler, poison messages', () => {
  it('copies the poison records of a batch to the DLQ in one call, and leaves them out of the failures', async () => {
    // Prepare
    const sender = recordingSender();
    const orders = new FakeOrderStore(async (order) => {
      if (order._id === 'B') throw new OrderConflictError('B', 'total_amount differs');
      return { outcome: 'created' };
    });
    const invalid = sqsRecordFactory(orderEventFactory({ order_id: 'X', items: [] }));
    const conflicting = sqsRecordFactory(orderEventFactory({ order_id: 'B' }));
    const valid = sqsRecordFactory(orderEventFactory({ order_id: 'A' }));

    // Act
    const { handler, metrics } = consumerWith(orders, {
      deadLetters: deadLettersWith(sender.send),
    });
    const response = await handler(
      sqsEventFactory([invalid, conflicting, valid]),
      lambdaContextFactory(),
    );

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(sender.requests).toHaveLength(1);
    const entries = sender.requests[0]?.Entries ?? [];
    expect(entries.map((entry) => entry.MessageBody)).toEqual([invalid.body, conflicting.body]);
    expect(entries[0]?.MessageAttributes).toEqual({
      [DEAD_LETTER_ATTRIBUTES.reason]: { DataType: 'String', StringValue: 'invalid-order' },
      [DEAD_LETTER_ATTRIBUTES.detail]: {
        DataType: 'String',
        StringValue: 'items: must contain at least one item',
      },
      [DEAD_LETTER_ATTRIBUTES.messageId]: { DataType: 'String', StringValue: invalid.messageId },
      [DEAD_LETTER_ATTRIBUTES.sourceQueueArn]: {
        DataType: 'String',
        StringValue: invalid.eventSourceARN,
      },
      [DEAD_LETTER_ATTRIBUTES.receiveCount]: { DataType: 'Number', StringValue: '1' },
      [DEAD_LETTER_ATTRIBUTES.time]: {
        DataType: 'String',
        StringValue: '2026-11-30T12:00:00.000Z',
      },
      // The body breaks the contract, but names the order it was about.
      [DEAD_LETTER_ATTRIBUTES.orderId]: { DataType: 'String', StringValue: 'X' },
    });
    expect(entries[1]?.MessageAttributes).toMatchObject({
      [DEAD_LETTER_ATTRIBUTES.reason]: { StringValue: 'order-conflict' },
      [DEAD_LETTER_ATTRIBUTES.orderId]: { StringValue: 'B' },
    });
    expect(metrics.get(ORDER_METRICS.rejected)).toBe(1);
    expect(metrics.get(ORDER_METRICS.conflicts)).toBe(1);
    expect(metrics.get(ORDER_METRICS.stored)).toBe(1);
  });

  it('reports a poison record failed, and deletes nothing, when the DLQ does not take its copy', async () => {
    // Prepare: one entry refused, then the whole call failing
    const refused = recordingSender(async (request) => ({
      Successful: [],
      Failed: (request.Entries ?? []).map((entry) => ({
        Id: entry.Id,
        Code: 'KMS.AccessDeniedException',
        SenderFault: true,
      })),
    }));
    const down = recordingSender(() => Promise.reject(new Error('connect ETIMEDOUT')));
    const orders = new FakeOrderStore(created);

    for (const sender of [refused, down]) {
      const invalid = sqsRecordFactory('not json');

      // Act
      const { handler, metrics, lines } = consumerWith(orders, {
        deadLetters: deadLettersWith(sender.send),
      });
      const response = await handler(sqsEventFactory([invalid]), lambdaContextFactory());

      // Assess
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: invalid.messageId }]);
      expect(metrics.get(ORDER_METRICS.deadLetterFailures)).toBe(1);
      expect(lines).toContainEqual(
        expect.objectContaining({ level: 'WARN', reason: 'invalid-order', deadLettered: false }),
      );
    }
  });

  it('sends retryable failures and internal errors back to the queue, not to the DLQ', async () => {
    const sender = recordingSender();
    const orders = new FakeOrderStore(async (order) => {
      throw order._id === 'A' ? reset() : new TypeError('bug');
    });

    const response = await consumerWith(orders, {
      deadLetters: deadLettersWith(sender.send),
      retryDelaysMs: [],
    }).handler(batchOf('A', 'B'), lambdaContextFactory());

    expect(response.batchItemFailures).toHaveLength(2);
    expect(sender.requests).toEqual([]);
  });

  it('leaves a message whose attributes would not fit beside the reason to the redrive', async () => {
    const sender = recordingSender();
    const attributes = Object.fromEntries(
      ['a', 'b', 'c', 'd', 'e'].map((name) => [name, { dataType: 'String', stringValue: name }]),
    );
    const invalid = sqsRecordFactory('not json', { messageAttributes: attributes });

    const response = await consumerWith(new FakeOrderStore(created), {
      deadLetters: deadLettersWith(sender.send),
    }).handler(sqsEventFactory([invalid]), lambdaContextFactory());

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: invalid.messageId }]);
    expect(sender.requests).toEqual([]);
  });
});

describe('createConsumerHandler, metrics', () => {
  it('publishes each invocation as one EMF document in the OrderService namespace', async () => {
    // Prepare: the real Powertools Metrics, which print EMF on stdout
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    });
    const metrics = new Metrics({
      namespace: ORDER_METRICS_NAMESPACE,
      serviceName: CONSUMER_SERVICE_NAME,
    });
    const { handler } = consumerWith(new FakeOrderStore(created), { metrics });

    // Act
    await handler(
      sqsEventFactory([
        sqsRecordFactory(orderEventFactory()),
        sqsRecordFactory(orderEventFactory()),
        sqsRecordFactory('not json'),
      ]),
      lambdaContextFactory(),
    );
    write.mockRestore();

    // Assess
    const documents = printed.map((line) => JSON.parse(line)).filter((d) => d._aws);
    expect(documents).toHaveLength(1);
    expect(documents[0]).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'OrderService',
            Dimensions: [['service']],
            Metrics: expect.arrayContaining([
              { Name: 'OrdersStored', Unit: 'Count' },
              { Name: 'OrdersRejected', Unit: 'Count' },
            ]),
          },
        ],
      },
      service: 'order-consumer',
      OrdersStored: [1, 1],
      OrdersRejected: 1,
    });
  });
});
