import { randomUUID } from 'node:crypto';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { type Collection, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { configDefaults } from '../../lambda/shared/config.js';
import { peekQueue } from '../../local/commands/peekQueue.js';
import { orderEventFactory } from '../helpers/factories.js';
import { runCommand } from '../helpers/runCommand.js';
import { openLocalStackDeployment } from './localStackDeployment.js';

const deployment = await openLocalStackDeployment();
const { sqs, outputs } = deployment;

// The invalid order sent first waits for the consumer's first cold start; the longest it may take
// is the redrive's (maxReceiveCount receives, one visibility timeout apart), read from the deployed
// queue so the wait fits whatever the stack was deployed with.
const { Attributes: queueAttributes } = await sqs.send(
  new GetQueueAttributesCommand({
    QueueUrl: outputs.QueueUrl,
    AttributeNames: ['VisibilityTimeout', 'RedrivePolicy'],
  }),
);
const visibilityMs = Number(queueAttributes?.VisibilityTimeout) * 1_000;
const maxReceiveCount = Number(JSON.parse(queueAttributes?.RedrivePolicy ?? '{}').maxReceiveCount);
const DEAD_LETTER_WAIT_MS = visibilityMs * (maxReceiveCount + 1) + 60_000;
// The first invocation of each function may wait for its execution environment to start.
const STORE_WAIT_MS = 120_000;
const POLL = { interval: 2_000 };

describe(`order service deployed at ${deployment.endpoint}`, () => {
  const run = randomUUID().slice(0, 8);
  const valid = orderEventFactory({ order_id: `E2E-${run}-A` });
  const other = orderEventFactory({ order_id: `E2E-${run}-B` });
  const invalid = { order_id: `E2E-${run}-INVALID`, user_id: 'U-1', items: [], total_amount: -1 };
  // Same order_id as `valid`, other content: sent once `valid` is stored.
  const conflicting = {
    ...valid,
    items: [{ item_id: 'P1', quantity: 2, price: 30.0 }],
    total_amount: 60.0,
  };
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
    // The URL exactly as the outputs file holds it.
    const response = await fetch(outputs.HealthUrl, { signal: AbortSignal.timeout(10_000) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  const storedOnce = (orderId: string) =>
    vi.waitFor(
      async () => {
        expect(await orders.countDocuments({ _id: orderId, status: 'PROCESSED' })).toBe(1);
      },
      { timeout: STORE_WAIT_MS, ...POLL },
    );

  beforeAll(async () => {
    mongo = new MongoClient(deployment.mongo.uri, { serverSelectionTimeoutMS: 5_000 });
    await mongo.connect().catch((error: Error) => {
      throw new Error(
        `The deployment's MongoDB does not answer on this machine (${error.name}); set E2E_MONGO_URI to where it is published`,
      );
    });
    orders = mongo.db(deployment.mongo.databaseName).collection(configDefaults.ORDERS_COLLECTION);
    // Prepare: a valid order sent twice (a producer resend), another valid one, an invalid one.
    await send(valid);
    await send(valid);
    await send(other);
    await send(invalid);
  }, 60_000);

  afterAll(async () => {
    sqs.destroy();
    await mongo?.close();
  });

  it('answers 200 healthy on the health Function URL of the outputs file', async () => {
    // Act
    const health = await vi.waitFor(
      async () => {
        const answer = await getHealth();
        expect(answer.status).toBe(200);
        return answer;
      },
      { timeout: STORE_WAIT_MS, ...POLL },
    );

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
      await storedOnce(valid.order_id as string);
      await storedOnce(other.order_id as string);

      // Assess
      const first = await orders.findOne({ _id: valid.order_id as string });
      expect(sentIds.slice(0, 2)).toContain(first?.sqs_message_id);
    },
    2 * STORE_WAIT_MS + 20_000,
  );

  it(
    'puts the invalid and the conflicting order in the DLQ with their reason, and `npm run dlq -- list` explains them',
    async () => {
      // Prepare: the invalid order sent first is in the DLQ (after the consumer's cold start)
      const deadLetters = () =>
        peekQueue({ sqs, queueUrl: outputs.DeadLetterQueueUrl, max: 1_000 }).then((messages) =>
          messages.filter((message) => message.Body?.includes(`E2E-${run}-`)),
        );
      await vi.waitFor(
        async () => {
          const messages = await deadLetters();
          expect(messages.map((message) => message.Body)).toEqual([JSON.stringify(invalid)]);
        },
        { timeout: DEAD_LETTER_WAIT_MS, interval: 1_000 },
      );
      await storedOnce(valid.order_id as string);
      const stored = await orders.findOne({ _id: valid.order_id as string });

      // Act: a conflicting version of `valid`, sent to the warm consumer. With the default
      // poisonMessages (dead-letter-now) it is copied to the DLQ on its first receive: within 10 s.
      await send(conflicting);
      const ours = await vi.waitFor(
        async () => {
          const messages = await deadLetters();
          expect(messages).toHaveLength(2);
          return messages;
        },
        { timeout: 10_000, interval: 500 },
      );
      // Nothing but the endpoint: the command finds the queues and MongoDB from the deployment.
      const listed = await runCommand('dlq', ['list', '--json'], {
        AWS_ENDPOINT_URL: deployment.endpoint,
        ...(process.env.MONGO_HOST_PORT ? { MONGO_HOST_PORT: process.env.MONGO_HOST_PORT } : {}),
      });

      // Assess: each carries its reason as message attributes, and the listing reports them
      expect(
        ours.map((message) => message.MessageAttributes?.['DeadLetter.Reason']?.StringValue).sort(),
      ).toEqual(['invalid-order', 'order-conflict']);
      expect(listed.code, listed.stderr).toBe(0);
      const explained = listed.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { reason: string; orderId?: string; attached: boolean })
        .filter((entry) => entry.orderId?.startsWith(`E2E-${run}-`));
      expect(explained).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            reason: 'invalid-order',
            orderId: invalid.order_id,
            attached: true,
          }),
          expect.objectContaining({
            reason: 'order-conflict',
            orderId: valid.order_id,
            attached: true,
          }),
        ]),
      );
      expect(explained).toHaveLength(2);
      expect(await orders.countDocuments({ _id: invalid.order_id })).toBe(0);
      // The stored order is never overwritten by the conflicting one.
      expect(await orders.find({ _id: valid.order_id as string }).toArray()).toEqual([stored]);
      // Queue depths are approximate and lag behind: the health check shows the dead letters soon.
      const health = await vi.waitFor(
        async () => {
          const answer = await getHealth();
          expect(Number(answer.body.dlq_depth)).toBeGreaterThanOrEqual(2);
          return answer;
        },
        { timeout: 90_000, ...POLL },
      );
      expect(health).toMatchObject({ status: 200, body: { status: 'healthy' } });
    },
    STORE_WAIT_MS + DEAD_LETTER_WAIT_MS + 180_000,
  );
});
