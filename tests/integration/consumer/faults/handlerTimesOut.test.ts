import { afterEach, describe, expect, it } from 'vitest';
import { orderEventFactory } from '../../../helpers/factories.js';
import { expectEachStoredOnce } from './expectEachStoredOnce.js';
import { FUNCTION_TIMEOUT_MS, VISIBILITY_TIMEOUT_MS } from './faultTimings.js';
import { Gate } from './Gate.js';
import { type QueuedConsumers, startQueuedConsumers } from './startQueuedConsumers.js';
import { readStoredOrders } from './storedOrders.js';

describe('the consumer invocation timing out', () => {
  let queued: QueuedConsumers | undefined;
  let stuck: Gate | undefined;

  afterEach(async () => {
    stuck?.open();
    await queued?.stop();
    queued = undefined;
  });

  it('deletes nothing of the batch, not even the records already done; the redelivery to a fresh container stores each order exactly once', async () => {
    // Prepare: in the first container, one record of the batch stalls after its in-progress claim,
    // before its write (a dependency outside MongoDB), and the response leaves after the timeout
    const hang = new Gate();
    stuck = hang;
    const events = Array.from({ length: 3 }, () => orderEventFactory());
    const ids = events.map((event) => String(event.order_id));
    const hangingId = ids[2];
    queued = await startQueuedConsumers('timeout', {
      visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_MS / 1000,
      functionTimeoutMs: FUNCTION_TIMEOUT_MS,
      pollers: 1,
      batchSize: events.length,
      hooksFor: (container) =>
        container === 0
          ? {
              before: async (order) => {
                if (order._id === hangingId) await hang.passage();
              },
            }
          : {},
      respondsTooLate: (container) => container === 0,
    });
    const messageIds = await queued.send(events.map((event) => JSON.stringify(event)));

    // Act
    await queued.start();
    await hang.reached;
    await queued.waitUntilDrained(FUNCTION_TIMEOUT_MS + 3 * VISIBILITY_TIMEOUT_MS + 10_000);

    // Assess: the timed-out batch deleted nothing, a new container finished it
    const [timedOut, ...after] = queued.reports;
    expect(timedOut).toMatchObject({ outcome: 'timeout', deletedMessageIds: [] });
    expect([...(timedOut?.messageIds ?? [])].sort()).toEqual([...messageIds].sort());
    expect(after.flatMap((report) => report.deletedMessageIds).sort()).toEqual(
      [...messageIds].sort(),
    );
    expect(new Set(after.map((report) => report.containerId)).has(timedOut?.containerId)).toBe(
      false,
    );
    expect(queued.stats()).toMatchObject({ timeouts: 1, containersDiscarded: 1 });
    expect(await queued.deadLettered()).toBe(0);
    await expectEachStoredOnce(
      queued.database.db,
      ids,
      queued.consumers.map((consumer) => consumer.orders.created),
    );
    // The two records done before the timeout were redelivered and not written again.
    const firstContainerWrites = queued.consumers[0]?.orders.created;
    expect(ids.filter((id) => firstContainerWrites?.get(id) === 1)).toEqual(ids.slice(0, 2));
    const stored = await readStoredOrders(queued.database.db, ids);
    expect(ids.map((id) => stored.get(id)?.documents)).toEqual([1, 1, 1]);
  });
});
