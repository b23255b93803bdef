import { randomUUID } from 'node:crypto';
import {
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { type Collection, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configDefaults } from '../../lambda/shared/config.js';
import { orderEventFactory } from '../helpers/factories.js';
import { localStackDeployment } from './localStackDeployment.js';

/** Polls `probe` until it returns a value other than `undefined`, or fails after `timeoutMs`. */
const eventually = async <T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resume) => setTimeout(resume, 2_000));
  }
};

const deployment = localStackDeployment();
const { sqs, outputs } = deployment;

// An invalid order reaches the DLQ after maxReceiveCount receives, each one visibility timeout
// apart: read both from the deployed queue, so the wait fits whatever the stack was deployed with.
const queueAttributes = await sqs
  .send(
    new GetQueueAttributesCommand({
      QueueUrl: outputs.QueueUrl,
      AttributeNames: ['VisibilityTimeout', 'RedrivePolicy'],
    }),
  )
  .then((output) => output.Attributes)
  .catch((error: Error) => {
    throw new Error(
      `LocalStack does not answer for the deployed queue at ${deployment.endpoint} (${error.name}): ` +
        'run `docker compose up -d --wait` and `npm run deploy:local`',
    );
  });
const visibilityMs = Number(queueAttributes?.VisibilityTimeout) * 1_000;
const maxReceiveCount = Number(JSON.parse(queueAttributes?.RedrivePolicy ?? '{}').maxReceiveCount);
const DEAD_LETTER_WAIT_MS = visibilityMs * maxReceiveCount + 120_000;
const STORE_WAIT_MS = 180_000;

describe('order service deployed on LocalStack', () => {
  const run = randomUUID().slice(0, 8);
  const validId = `E2E-${run}-A`;
  const otherId = `E2E-${run}-B`;
  const valid = orderEventFactory({ order_id: validId });
  const other = orderEventFactory({ order_id: otherId });
  const invalid = { order_id: `E2E-${run}-INVALID`, user_id: 'U-1', items: [], total_amount: -1 };
  let mongo: MongoClient;
  let orders: Collection<{ _id: string; status: string; sqs_message_id: string }>;
  const sentIds: string[] = [];

  const send = async (body: unknown) => {
    const { MessageId } = await sqs.send(
      new SendMessageCommand({ QueueUrl: outputs.QueueUrl, MessageBody: JSON.stringify(body) }),
    );
    sentIds.push(MessageId ?? '');
  };

  const getHealth = async () => {
    const response = await fetch(deployment.healthUrl, { signal: AbortSignal.timeout(10_000) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    mongo = new MongoClient(deployment.mongoUri, { serverSelectionTimeoutMS: 5_000 });
    await mongo.connect().catch((error: Error) => {
      throw new Error(
        `MongoDB of the compose file does not answer on the host (${error.name}): run \`docker compose up -d --wait\`, or set E2E_MONGO_URI`,
      );
    });
    orders = mongo.db(deployment.databaseName).collection(configDefaults.ORDERS_COLLECTION);
    // Prepare: a valid order sent twice (a producer resend), another valid one, an invalid one.
    await send(valid);
    await send(valid);
    await send(other);
    await send(invalid);
  }, 60_000);

  afterAll(async () => {
    await mongo?.close();
  });

  it('answers 200 healthy on the health Function URL', async () => {
    // Act (the first call may wait for the function's container to start)
    const health = await eventually('a healthy answer', 180_000, async () => {
      const answer = await getHealth();
      return answer.status === 200 ? answer : undefined;
    });

    // Assess
    expect(health.body).toMatchObject({
      status: 'healthy',
      sqs_connected: true,
      db_connected: true,
    });
  }, 200_000);

  it(
    'stores each valid order exactly once, the resend included',
    async () => {
      // Act
      const stored = await eventually('both valid orders in MongoDB', STORE_WAIT_MS, async () => {
        const documents = await orders.find({ _id: { $in: [validId, otherId] } }).toArray();
        return documents.length === 2 ? documents : undefined;
      });

      // Assess
      expect(stored.map((document) => document.status)).toEqual(['PROCESSED', 'PROCESSED']);
      expect(await orders.countDocuments({ _id: validId })).toBe(1);
      const first = stored.find((document) => document._id === validId);
      expect(sentIds.slice(0, 2)).toContain(first?.sqs_message_id);
    },
    STORE_WAIT_MS + 20_000,
  );

  it(
    `moves the invalid order to the DLQ after ${maxReceiveCount} receives, and only it`,
    async () => {
      // Act: peek at the DLQ (visibility 0 leaves the messages there for operators)
      const seen = new Map<string, Message>();
      await eventually('the invalid order in the DLQ', DEAD_LETTER_WAIT_MS, async () => {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: outputs.DeadLetterQueueUrl,
            MaxNumberOfMessages: 10,
            VisibilityTimeout: 0,
            WaitTimeSeconds: 5,
          }),
        );
        for (const message of Messages) seen.set(message.MessageId ?? '', message);
        return [...seen.values()].some((m) => m.Body?.includes(invalid.order_id))
          ? true
          : undefined;
      });

      // Assess
      const ours = [...seen.values()].filter((m) => m.Body?.includes(`E2E-${run}-`));
      expect(ours.map((m) => JSON.parse(m.Body ?? '{}').order_id)).toEqual([invalid.order_id]);
      expect(await orders.countDocuments({ _id: invalid.order_id })).toBe(0);
      // Queue depths are approximate and lag behind: the health check shows the dead letter soon.
      const health = await eventually('the DLQ depth in the health answer', 90_000, async () => {
        const answer = await getHealth();
        return Number(answer.body.dlq_depth) >= 1 ? answer : undefined;
      });
      expect(health).toMatchObject({ status: 200, body: { status: 'healthy' } });
    },
    DEAD_LETTER_WAIT_MS + 120_000,
  );
});
