import { PurgeQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConsumerHandler } from '../../../../lambda/consumer/createConsumerHandler.js';
import {
  type LocalRuntime,
  startLocalRuntime,
} from '../../../../local/runtime/startLocalRuntime.js';
import { orderEventFactory } from '../../../helpers/factories.js';
import { sendBodies, waitFor } from '../../../helpers/localSqs.js';
import { runCommand } from '../../../helpers/runCommand.js';
import { openTestDatabase, type TestDatabase } from '../../../helpers/testDatabase.js';

type LogLine = Record<string, unknown> & { message: string };

let database: TestDatabase;
let runtime: LocalRuntime;
let outage = false;
const logs: LogLine[] = [];

/** What the operator commands need to reach this runtime, without the dev endpoints file. */
const commandEnv = (): Record<string, string> => ({
  QUEUE_URL: runtime.queueUrl,
  DLQ_URL: runtime.deadLetterQueueUrl,
  AWS_ENDPOINT_URL: runtime.sqsEndpoint,
  AWS_REGION: runtime.region,
  MONGO_URI: database.uri,
  MONGO_DB_NAME: database.databaseName,
});

const orders = () => database.db.collection<{ _id: string; sqs_message_id: string }>('orders');

const depthIs = async (queue: number, deadLetters: number): Promise<boolean> => {
  const depth = await runtime.queueDepth();
  return (
    depth.queue.visible + depth.queue.inFlight + depth.queue.delayed === queue &&
    depth.deadLetterQueue.visible === deadLetters
  );
};

beforeAll(async () => {
  database = await openTestDatabase('local_runtime');
  runtime = await startLocalRuntime({
    mongoUri: database.uri,
    databaseName: database.databaseName,
    // Seconds, not minutes: two receives of two seconds each send a poison message to the DLQ.
    settings: {
      consumerTimeoutSeconds: 2,
      visibilityTimeoutSeconds: 2,
      maxReceiveCount: 2,
      maxBatchingWindowSeconds: 0,
    },
    pollers: 2,
    logSink: (line) => logs.push(JSON.parse(line) as LogLine),
    log: () => undefined,
    wrapHandler:
      (handler: ConsumerHandler): ConsumerHandler =>
      (event, context) =>
        outage ? Promise.reject(new Error('simulated outage')) : handler(event, context),
  });
});

// Each test starts from empty queues, whatever the one before left behind.
beforeEach(async () => {
  outage = false;
  for (const queueUrl of [runtime.queueUrl, runtime.deadLetterQueueUrl]) {
    await runtime.sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
  }
  await waitFor('empty queues', () => depthIs(0, 0));
});

afterAll(async () => {
  await runtime?.stop();
  await database?.close();
});

describe('the local runtime, end to end', () => {
  it('serves the health check as a Function URL', async () => {
    // Act
    const healthy = await fetch(runtime.healthUrl);
    const post = await fetch(runtime.healthUrl, { method: 'POST' });

    // Assess
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toMatchObject({
      status: 'healthy',
      sqs_connected: true,
      db_connected: true,
    });
    expect(post.status).toBe(405);
  });

  it('stores sent orders once, sends invalid and conflicting ones to the DLQ, and dlq list explains each', async () => {
    // Act: the real send command, against this runtime
    const sent = await runCommand(
      'send',
      ['--count', '20', '--invalid', '3', '--duplicates', '5'],
      commandEnv(),
    );
    const runId = /order ids (ORD-[0-9a-f]+-)\*/.exec(sent.stdout)?.[1] ?? 'missing';
    const ofRun = { _id: { $regex: `^${runId}\\d+$` } };
    await waitFor(
      'the 20 orders to be stored',
      async () => (await orders().countDocuments(ofRun)) === 20,
    );
    const firstId = `${runId}1`;
    await runtime.sqs.send(
      new SendMessageCommand({
        QueueUrl: runtime.queueUrl,
        MessageBody: JSON.stringify(
          orderEventFactory({ order_id: firstId, total_amount: 999_999 }),
        ),
      }),
    );
    await waitFor('3 invalid messages and 1 conflict in the DLQ', () => depthIs(0, 4), 30_000);
    const listed = await runCommand('dlq', ['list', '--json'], commandEnv());
    const text = await runCommand('dlq', ['list'], commandEnv());

    // Assess
    expect(sent.code).toBe(0);
    expect(sent.stdout).toContain('Sent 28 of 28 messages');
    expect(await orders().countDocuments(ofRun)).toBe(20);
    const explanations = listed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { reason: string; orderId?: string; detail?: string });
    expect(explanations.filter((entry) => entry.reason === 'invalid-order')).toHaveLength(3);
    // The consumer dead-lettered them itself, with the reason attached.
    expect(explanations.filter((entry) => entry.reason === 'order-conflict')).toEqual([
      expect.objectContaining({
        orderId: firstId,
        attached: true,
        detail: expect.stringContaining('differs'),
      }),
    ]);
    expect(text.stdout).toContain('4 messages');
    expect(text.stdout).toContain('By reason: invalid-order 3, order-conflict 1.');
    expect(await depthIs(0, 4)).toBe(true);

    // Act
    const purged = await runCommand('dlq', ['purge', '--yes'], commandEnv());

    // Assess
    expect(purged.code).toBe(0);
    await waitFor('an empty DLQ', () => depthIs(0, 0));
  });

  it('dlq redrive puts failed orders back and each is processed exactly once', async () => {
    // Prepare: during an outage every delivery fails, and after two receives the queue moves them
    outage = true;
    const [a, b, c] = [orderEventFactory(), orderEventFactory(), orderEventFactory()];
    const bodies = [a, b, c, a].map((order) => JSON.stringify(order));
    const originalIds = await sendBodies(runtime.sqs, runtime.queueUrl, bodies);
    await waitFor('the four messages in the DLQ', () => depthIs(0, 4), 30_000);
    outage = false;
    const logsBefore = logs.length;

    // Act
    const redriven = await runCommand('dlq', ['redrive'], commandEnv());
    const ids = [a, b, c].map((order) => String(order.order_id));
    await waitFor(
      'the three orders stored and both queues empty',
      async () =>
        (await orders().countDocuments({ _id: { $in: ids } })) === 3 && (await depthIs(0, 0)),
      30_000,
    );

    // Assess
    expect(redriven.code).toBe(0);
    expect(redriven.stdout).toContain('Moved 4 messages');
    expect(redriven.stdout).toContain('receive, send, then delete');
    const stored = await orders()
      .find({ _id: { $in: ids } })
      .toArray();
    expect(stored.map((order) => order._id).sort()).toEqual([...ids].sort());
    for (const order of stored) expect(originalIds).not.toContain(order.sqs_message_id);
    const created = logs
      .slice(logsBefore)
      .filter((line) => line.message === 'order stored' && line.outcome === 'created')
      .map((line) => line.order_id);
    expect(created.sort()).toEqual([...ids].sort());
    expect(runtime.stats().handlerErrors).toBeGreaterThanOrEqual(2);
  });
});
