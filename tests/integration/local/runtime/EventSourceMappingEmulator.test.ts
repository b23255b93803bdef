import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type EventSourceMappingEmulator as Emulator,
  EventSourceMappingEmulator,
  type EventSourceMappingOptions,
  type InvocationReport,
  type SqsFunctionHandler,
} from '../../../../local/runtime/EventSourceMappingEmulator.js';
import { LocalLogger } from '../../../../local/runtime/LocalLogger.js';
import {
  createTestQueues,
  type LocalSqs,
  messageIdsIn,
  sendBodies,
  startLocalSqs,
  waitFor,
} from '../../../helpers/localSqs.js';

let local: LocalSqs;
let emulator: Emulator | undefined;

beforeAll(async () => {
  local = await startLocalSqs();
});

afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});

afterAll(async () => {
  await local.close();
});

const logger = new LocalLogger({
  serviceName: 'emulator-test',
  logLevel: 'SILENT',
  sink: () => undefined,
});

interface Harness {
  readonly reports: InvocationReport[];
  readonly events: {
    event: SQSEvent;
    context: Context;
    containerId: string;
    remainingAtStart: number;
  }[];
  readonly containersCreated: string[];
  readonly queueName: string;
  readonly deadLetterQueueName: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly emulator: Emulator;
}

/** Starts an emulator over fresh queues with a scripted handler. */
const startEmulator = async (
  handler: SqsFunctionHandler,
  options: Partial<EventSourceMappingOptions> & {
    visibilityTimeoutSeconds?: number;
    maxReceiveCount?: number;
    before?: (queueUrl: string) => Promise<unknown>;
  } = {},
): Promise<Harness> => {
  const queues = await createTestQueues(local.sqs, {
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 30,
    maxReceiveCount: options.maxReceiveCount ?? 5,
  });
  await options.before?.(queues.queueUrl);
  const reports: InvocationReport[] = [];
  const events: Harness['events'] = [];
  const containersCreated: string[] = [];
  emulator = new EventSourceMappingEmulator({
    sqs: local.sqs,
    queueUrl: queues.queueUrl,
    region: 'us-east-1',
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    functionTimeoutMs: 5_000,
    pollers: 1,
    waitTimeSeconds: 1,
    logger,
    onInvocation: (report) => reports.push(report),
    createContainer: async (containerId) => {
      containersCreated.push(containerId);
      return {
        handler: (event, context) => {
          events.push({
            event,
            context,
            containerId,
            remainingAtStart: context.getRemainingTimeInMillis(),
          });
          return handler(event, context);
        },
        dispose: async () => undefined,
      };
    },
    ...options,
  });
  await emulator.start();
  return { reports, events, containersCreated, ...queues, emulator };
};

const recordsSeen = (harness: Harness) => harness.reports.flatMap((report) => report.messageIds);

describe('EventSourceMappingEmulator', () => {
  it('deletes exactly the records not listed in batchItemFailures', async () => {
    // Prepare
    let ids: string[] = [];
    const harness = await startEmulator(
      async (event) => ({
        batchItemFailures: event.Records.filter((record) => record.body.startsWith('fail')).map(
          (record) => ({ itemIdentifier: record.messageId }),
        ),
      }),
      {
        before: async (queueUrl) => {
          ids = await sendBodies(local.sqs, queueUrl, ['ok-1', 'fail-1', 'ok-2', 'fail-2']);
        },
      },
    );

    // Act
    await waitFor('all four records to be handled', () => recordsSeen(harness).length >= 4);
    await harness.emulator.stop();

    // Assess
    const [ok1, fail1, ok2, fail2] = ids as [string, string, string, string];
    expect(messageIdsIn(local.server, harness.queueName)).toEqual([fail1, fail2].sort());
    expect(harness.reports.flatMap((report) => report.deletedMessageIds).sort()).toEqual(
      [ok1, ok2].sort(),
    );
    expect(harness.emulator.stats()).toMatchObject({ recordsDeleted: 2, recordsReportedFailed: 2 });
  });

  it('deletes every record of a batch answered with no failures', async () => {
    // Prepare
    const harness = await startEmulator(async () => ({ batchItemFailures: [] }), {
      before: (queueUrl) => sendBodies(local.sqs, queueUrl, ['a', 'b', 'c']),
    });

    // Act
    await waitFor(
      'the queue to empty',
      () => messageIdsIn(local.server, harness.queueName).length === 0,
    );

    // Assess
    expect(harness.emulator.stats()).toMatchObject({ recordsDeleted: 3, succeededBatches: 1 });
  });

  it('deletes nothing when the handler throws', async () => {
    // Prepare
    let ids: string[] = [];
    const harness = await startEmulator(
      async () => {
        throw new Error('database down');
      },
      {
        before: async (queueUrl) => {
          ids = await sendBodies(local.sqs, queueUrl, ['a', 'b', 'c']);
        },
      },
    );

    // Act
    await waitFor('the invocation', () => harness.reports.length > 0);
    await harness.emulator.stop();

    // Assess
    expect(harness.reports[0]).toMatchObject({ outcome: 'handler-error', deletedMessageIds: [] });
    expect(harness.reports[0]?.reason).toContain('database down');
    expect(messageIdsIn(local.server, harness.queueName)).toEqual([...ids].sort());
    expect(harness.emulator.stats()).toMatchObject({
      handlerErrors: 1,
      failedBatches: 1,
      recordsDeleted: 0,
    });
  });

  it.each([
    [
      'an unknown itemIdentifier',
      () => ({ batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] }),
    ],
    ['an empty itemIdentifier', () => ({ batchItemFailures: [{ itemIdentifier: '' }] })],
    ['a malformed batchItemFailures', () => ({ batchItemFailures: 'everything' })],
    ['a response that is not JSON', () => ({ big: 1n })],
  ])('deletes nothing when the response has %s', async (_, respond) => {
    // Prepare
    let ids: string[] = [];
    const harness = await startEmulator(async () => respond(), {
      before: async (queueUrl) => {
        ids = await sendBodies(local.sqs, queueUrl, ['a', 'b']);
      },
    });

    // Act
    await waitFor('the invocation', () => harness.reports.length > 0);
    await harness.emulator.stop();

    // Assess
    expect(harness.reports[0]).toMatchObject({
      outcome: 'invalid-response',
      deletedMessageIds: [],
    });
    expect(messageIdsIn(local.server, harness.queueName)).toEqual([...ids].sort());
    expect(harness.emulator.stats().invalidResponses).toBe(1);
  });

  it('deletes nothing after a timeout and starts a new container for the next batch', async () => {
    // Prepare
    let calls = 0;
    let ids: string[] = [];
    const harness = await startEmulator(
      async () => {
        calls++;
        if (calls === 1) await new Promise(() => undefined);
        return { batchItemFailures: [] };
      },
      {
        functionTimeoutMs: 300,
        visibilityTimeoutSeconds: 1,
        before: async (queueUrl) => {
          ids = await sendBodies(local.sqs, queueUrl, ['slow']);
        },
      },
    );

    // Act
    await waitFor('the timed-out invocation', () => harness.reports.length > 0);
    const remainingAfterTimeout = messageIdsIn(local.server, harness.queueName);
    await waitFor('the redelivery to succeed', () =>
      harness.reports.some((report) => report.outcome === 'success'),
    );

    // Assess
    expect(harness.reports[0]).toMatchObject({ outcome: 'timeout', deletedMessageIds: [] });
    expect(harness.reports[0]?.reason).toBe('Task timed out after 0.30 seconds');
    expect(remainingAfterTimeout).toEqual(ids);
    expect(harness.events[0]?.remainingAtStart).toBeLessThanOrEqual(300);
    expect(harness.events[0]?.remainingAtStart).toBeGreaterThan(200);
    expect(harness.containersCreated).toHaveLength(2);
    expect(harness.events[1]?.containerId).not.toBe(harness.events[0]?.containerId);
    expect(harness.emulator.stats()).toMatchObject({
      timeouts: 1,
      containersDiscarded: 1,
      redeliveries: 1,
    });
    expect(messageIdsIn(local.server, harness.queueName)).toEqual([]);
  });

  it('leaves redrive to the queue: a record that keeps failing lands in the DLQ after maxReceiveCount', async () => {
    // Prepare
    let ids: string[] = [];
    const harness = await startEmulator(
      async (event) => ({
        batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })),
      }),
      {
        visibilityTimeoutSeconds: 1,
        maxReceiveCount: 2,
        before: async (queueUrl) => {
          ids = await sendBodies(local.sqs, queueUrl, ['poison-1', 'poison-2']);
        },
      },
    );

    // Act
    await waitFor(
      'both records in the DLQ',
      () => messageIdsIn(local.server, harness.deadLetterQueueName).length === 2,
    );

    // Assess
    expect(messageIdsIn(local.server, harness.deadLetterQueueName)).toEqual([...ids].sort());
    expect(messageIdsIn(local.server, harness.queueName)).toEqual([]);
    const deliveries = recordsSeen(harness);
    for (const id of ids) expect(deliveries.filter((seen) => seen === id)).toHaveLength(2);
    expect(harness.emulator.stats()).toMatchObject({ recordsDeleted: 0, recordsReportedFailed: 4 });
  });

  it('gathers records for the batching window, up to the batch size', async () => {
    // Prepare
    const harness = await startEmulator(async () => ({ batchItemFailures: [] }), {
      maxBatchingWindowSeconds: 2,
    });
    const [first] = await sendBodies(local.sqs, harness.queueUrl, ['first']);
    await waitFor('the first record to be received', () => {
      const state = local.server.inspectQueue(harness.queueName);
      return state?.messages.inflight.length === 1;
    });

    // Act
    const later = await sendBodies(local.sqs, harness.queueUrl, ['second', 'third']);
    await waitFor('the invocation', () => harness.reports.length > 0);

    // Assess
    expect([...(harness.reports[0]?.messageIds ?? [])].sort()).toEqual([first, ...later].sort());
  });

  it('runs pollers concurrently, one container each initialised once, batches within the batch size', async () => {
    // Prepare
    const running = new Map<string, number>();
    let overlapInOneContainer = false;
    const bodies = Array.from({ length: 23 }, (_, index) => `m-${index}`);
    let ids: string[] = [];
    const harness = await startEmulator(
      async (_event, context) => {
        const key = context.logStreamName;
        running.set(key, (running.get(key) ?? 0) + 1);
        if ((running.get(key) ?? 0) > 1) overlapInOneContainer = true;
        await new Promise((resolve) => setTimeout(resolve, 20));
        running.set(key, (running.get(key) ?? 1) - 1);
        return { batchItemFailures: [] };
      },
      {
        pollers: 3,
        batchSize: 5,
        maxBatchingWindowSeconds: 1,
        before: async (queueUrl) => {
          ids = await sendBodies(local.sqs, queueUrl, bodies);
        },
      },
    );

    // Act: an empty queue can still have its last batch in flight
    await waitFor(
      'every message delivered and the queue empty',
      () =>
        recordsSeen(harness).length >= ids.length &&
        messageIdsIn(local.server, harness.queueName).length === 0,
    );

    // Assess
    expect(recordsSeen(harness).sort()).toEqual([...ids].sort());
    expect(harness.events.every(({ event }) => event.Records.length <= 5)).toBe(true);
    expect(new Set(harness.events.map(({ context }) => context.awsRequestId)).size).toBe(
      harness.events.length,
    );
    expect(harness.containersCreated.length).toBeLessThanOrEqual(3);
    expect(new Set(harness.events.map(({ containerId }) => containerId)).size).toBe(
      harness.containersCreated.length,
    );
    expect(overlapInOneContainer).toBe(false);
    const record = harness.events[0]?.event.Records[0];
    expect(record).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: harness.queueArn,
      awsRegion: 'us-east-1',
      attributes: { ApproximateReceiveCount: '1' },
    });
    expect(harness.events[0]?.context.functionName).toBe('order-consumer');
  });
});
