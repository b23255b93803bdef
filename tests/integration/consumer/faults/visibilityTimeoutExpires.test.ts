import { afterEach, describe, expect, it } from 'vitest';
import { orderEventFactory } from '../../../helpers/factories.js';
import { waitFor } from '../../../helpers/localSqs.js';
import { expectEachStoredOnce } from './expectEachStoredOnce.js';
import { Gate } from './Gate.js';
import { type QueuedConsumers, startQueuedConsumers } from './startQueuedConsumers.js';

// Shorter than the time the first consumer spends on the message: the queue hands it out again.
const VISIBILITY_TIMEOUT_SECONDS = 1;
const FUNCTION_TIMEOUT_MS = 20_000;

describe('the visibility timeout expiring while the message is being processed', () => {
  let queued: QueuedConsumers | undefined;
  let gate: Gate | undefined;

  afterEach(async () => {
    gate?.open();
    await queued?.stop();
    queued = undefined;
  });

  it('gives the message to a second consumer, which does not write it again; the order is stored once and nothing reaches the DLQ', async () => {
    // Prepare: two pollers; whichever consumer first reaches the order write stalls there
    const stall = new Gate();
    gate = stall;
    let stalled = false;
    queued = await startQueuedConsumers('visibility', {
      visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
      functionTimeoutMs: FUNCTION_TIMEOUT_MS,
      pollers: 2,
      batchSize: 1,
      hooksFor: () => ({
        before: async () => {
          if (stalled) return;
          stalled = true;
          await stall.passage();
        },
      }),
    });
    const running = queued;
    const event = orderEventFactory();
    const id = String(event.order_id);
    const [messageId] = await running.send([JSON.stringify(event)]);

    // Act: once another consumer has received the same message and reported it failed, release
    await running.start();
    await stall.reached;
    await waitFor(
      'a second delivery of the message while the first is still processing it',
      () =>
        running.reports.some(
          (r) => r.messageIds.includes(messageId ?? '') && r.outcome === 'partial-failure',
        ),
      15_000,
    );
    stall.open();
    await running.waitUntilDrained(30_000);

    // Assess
    const invocations = running.reports.filter((r) => r.messageIds.includes(messageId ?? ''));
    expect(new Set(invocations.map((r) => r.containerId)).size).toBe(2);
    expect(running.stats().redeliveries).toBeGreaterThan(0);
    expect(await running.deadLettered()).toBe(0);
    await expectEachStoredOnce(
      running.database.db,
      [id],
      running.consumers.map((consumer) => consumer.orders.created),
    );
  });
});
