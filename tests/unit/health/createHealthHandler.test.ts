import { GetQueueAttributesCommand, QueueDoesNotExist, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createHealthHandler,
  type HealthBody,
  type HealthDependencies,
} from '../../../lambda/health/createHealthHandler.js';
import { createLogger } from '../../../lambda/shared/logger.js';
import {
  functionUrlEventFactory,
  structuredResult,
} from '../../helpers/functionUrlEventFactory.js';

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/order-queue';
const DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/order-queue-dlq';
const SECRET_URI = 'mongodb://admin:s3cr3t@db.internal.example:27017/order_db';

const sqsMock = mockClient(SQSClient);

/** A MongoClient stand-in whose `ping` does what the test says; records what it was asked. */
const fakeMongo = (ping: () => Promise<unknown>) => {
  const calls: { database: string; command: unknown; options: unknown }[] = [];
  const client = {
    connect: async () => client,
    db: (database: string) => ({
      command: (command: unknown, options: unknown) => {
        calls.push({ database, command, options });
        return ping();
      },
    }),
  } as unknown as MongoClient;
  return { client, calls };
};

const never = () => new Promise<never>(() => undefined);

const handlerWith = (mongo: MongoClient, overrides: Partial<HealthDependencies> = {}) =>
  createHealthHandler({
    sqs: new SQSClient({ region: 'us-east-1' }),
    mongo,
    queueUrl: QUEUE_URL,
    deadLetterQueueUrl: DLQ_URL,
    databaseName: 'order_db',
    logger: createLogger('health-test', 'SILENT'),
    checkTimeoutMs: 200,
    ...overrides,
  });

const bodyOf = (result: { body?: string }): HealthBody => JSON.parse(result.body ?? '{}');

const queueDepths = (queue: string, dlq: string) => {
  sqsMock
    .on(GetQueueAttributesCommand, { QueueUrl: QUEUE_URL })
    .resolves({ Attributes: { ApproximateNumberOfMessages: queue } })
    .on(GetQueueAttributesCommand, { QueueUrl: DLQ_URL })
    .resolves({
      Attributes: { ApproximateNumberOfMessages: dlq, ApproximateNumberOfMessagesNotVisible: '0' },
    });
};

afterEach(() => {
  sqsMock.reset();
});

describe('createHealthHandler', () => {
  it('answers 200 healthy with the legacy flags and the queue depths when both checks pass', async () => {
    // Prepare
    queueDepths('7', '2');
    const mongo = fakeMongo(async () => ({ ok: 1 }));
    const handler = handlerWith(mongo.client);

    // Act
    const result = structuredResult(await handler(functionUrlEventFactory('GET')));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({
      'content-type': 'application/json',
      'cache-control': 'no-store',
    });
    expect(bodyOf(result)).toMatchObject({
      status: 'healthy',
      sqs_connected: true,
      db_connected: true,
      queue_depth: 7,
      dlq_depth: 2,
    });
  });

  it('asks SQS for the depth of exactly the served queue and its DLQ, and pings the configured database', async () => {
    // Prepare
    queueDepths('0', '0');
    const mongo = fakeMongo(async () => ({ ok: 1 }));
    const handler = handlerWith(mongo.client);

    // Act
    await handler(functionUrlEventFactory('GET'));

    // Assess
    const inputs = sqsMock
      .commandCalls(GetQueueAttributesCommand)
      .map((call) => call.args[0].input);
    expect(inputs).toHaveLength(2);
    expect(inputs).toEqual(
      expect.arrayContaining([
        { QueueUrl: QUEUE_URL, AttributeNames: ['ApproximateNumberOfMessages'] },
        {
          QueueUrl: DLQ_URL,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        },
      ]),
    );
    expect(mongo.calls).toEqual([
      {
        database: 'order_db',
        command: { ping: 1, maxTimeMS: 200 },
        options: { signal: expect.any(AbortSignal) },
      },
    ]);
  });

  it('answers 503 with sqs_connected false when the order queue does not exist', async () => {
    // Prepare
    sqsMock
      .on(GetQueueAttributesCommand)
      .rejects(new QueueDoesNotExist({ message: `Queue ${QUEUE_URL} missing`, $metadata: {} }));
    const handler = handlerWith(fakeMongo(async () => ({ ok: 1 })).client);

    // Act
    const result = structuredResult(await handler(functionUrlEventFactory('GET')));

    // Assess
    expect(result.statusCode).toBe(503);
    expect(bodyOf(result)).toMatchObject({
      status: 'unhealthy',
      sqs_connected: false,
      db_connected: true,
      queue_depth: null,
    });
  });

  it('answers 503 with db_connected false when the ping fails, without the error text', async () => {
    // Prepare
    queueDepths('0', '0');
    const handler = handlerWith(
      fakeMongo(async () => {
        throw new Error(`connect ECONNREFUSED db.internal.example:27017 (${SECRET_URI})`);
      }).client,
    );

    // Act
    const result = structuredResult(await handler(functionUrlEventFactory('GET')));

    // Assess
    expect(result.statusCode).toBe(503);
    expect(bodyOf(result)).toMatchObject({
      status: 'unhealthy',
      sqs_connected: true,
      db_connected: false,
    });
    expect(result.body).not.toMatch(/ECONNREFUSED|db\.internal|27017|s3cr3t|mongodb:|Error|at /);
  });

  it('counts DLQ messages being inspected (received, not visible) in the DLQ depth', async () => {
    // Prepare
    sqsMock
      .on(GetQueueAttributesCommand, { QueueUrl: QUEUE_URL })
      .resolves({ Attributes: { ApproximateNumberOfMessages: '4' } })
      .on(GetQueueAttributesCommand, { QueueUrl: DLQ_URL })
      .resolves({
        Attributes: {
          ApproximateNumberOfMessages: '1',
          ApproximateNumberOfMessagesNotVisible: '2',
        },
      });
    const handler = handlerWith(fakeMongo(async () => ({ ok: 1 })).client);

    // Act
    const result = structuredResult(await handler(functionUrlEventFactory('GET')));

    // Assess
    expect(bodyOf(result)).toMatchObject({ queue_depth: 4, dlq_depth: 3 });
  });

  it('stays healthy when only the DLQ depth cannot be read, reporting it as null', async () => {
    // Prepare
    sqsMock
      .on(GetQueueAttributesCommand, { QueueUrl: QUEUE_URL })
      .resolves({ Attributes: { ApproximateNumberOfMessages: '1' } })
      .on(GetQueueAttributesCommand, { QueueUrl: DLQ_URL })
      .rejects(new Error('throttled'));
    const handler = handlerWith(fakeMongo(async () => ({ ok: 1 })).client);

    // Act
    const result = structuredResult(await handler(functionUrlEventFactory('GET')));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({ status: 'healthy', queue_depth: 1, dlq_depth: null });
  });

  it('answers within the check bound when both SQS and MongoDB hang', async () => {
    // Prepare
    sqsMock.on(GetQueueAttributesCommand).callsFake(never);
    const handler = handlerWith(fakeMongo(never).client, { checkTimeoutMs: 150 });
    const started = performance.now();

    // Act
    const result = structuredResult(await handler(functionUrlEventFactory('GET')));

    // Assess
    const elapsed = performance.now() - started;
    expect(result.statusCode).toBe(503);
    expect(bodyOf(result)).toMatchObject({ sqs_connected: false, db_connected: false });
    expect(elapsed).toBeLessThan(1_000);
  });

  it.each(['POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS'])(
    'answers %s with 405 and touches no dependency',
    async (method) => {
      // Prepare
      const mongo = fakeMongo(async () => ({ ok: 1 }));
      const handler = handlerWith(mongo.client);

      // Act
      const result = structuredResult(
        await handler(functionUrlEventFactory(method, { body: '{"ping":1}' })),
      );

      // Assess
      expect(result.statusCode).toBe(405);
      expect(result.headers).toMatchObject({ allow: 'GET' });
      expect(sqsMock.calls()).toHaveLength(0);
      expect(mongo.calls).toHaveLength(0);
    },
  );

  it('does the same constant work whatever query string and body a caller sends', async () => {
    // Prepare
    queueDepths('0', '0');
    const mongo = fakeMongo(async () => ({ ok: 1 }));
    const handler = handlerWith(mongo.client);
    const event = functionUrlEventFactory('GET', {
      rawQueryString: 'deep=1&repeat=1000',
      queryStringParameters: { deep: '1', repeat: '1000' },
      body: 'x'.repeat(10_000),
    });

    // Act
    const result = structuredResult(await handler(event));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(sqsMock.calls()).toHaveLength(2);
    expect(mongo.calls).toHaveLength(1);
  });
});
