import { afterEach, describe, expect, it } from 'vitest';
import { ORDER_METRICS } from '../../../../lambda/consumer/orderMetrics.js';
import { expectEachStoredOnce } from '../faults/expectEachStoredOnce.js';
import { type ProxiedConsumer, startProxiedConsumer } from '../faults/startProxiedConsumer.js';
import { readStoredOrders } from '../faults/storedOrders.js';
import { INVOCATION_MS, invoke, newOrderBatch, primaryGoneFor, warmUp } from './serverScenario.js';

// What the consumer keeps back to answer (the deadline's reserve, and a retry needs 1 s to start),
// with room for a slow machine: it gives up no earlier than this before the Lambda timeout.
const ANSWER_MARGIN_MS = 5_000;

describe('an Atlas replica set failing over', () => {
  let consumer: ProxiedConsumer | undefined;

  afterEach(async () => {
    await consumer?.close();
    consumer = undefined;
  });

  it('rides through 12 s without a primary: one invocation stores the 10 orders', async () => {
    // Prepare: a warm container on a replica-set primary, which then steps down
    consumer = await startProxiedConsumer('failover_12s', { personality: 'atlas' });
    await warmUp(consumer);
    const { ids, records } = newOrderBatch();
    const elected = primaryGoneFor(consumer, 12_000);

    // Act
    const { response, tookMs } = await invoke(consumer, records);
    await elected;

    // Assess: no record goes back to the queue, so no receive is spent
    expect(response.batchItemFailures).toEqual([]);
    expect(tookMs).toBeLessThan(INVOCATION_MS);
    expect(consumer.metrics.get(ORDER_METRICS.internalErrors)).toBeUndefined();
    await expectEachStoredOnce(consumer.database.db, ids, [consumer.orders.created]);
  });

  it('answers before the deadline when the primary is gone longer than the invocation, and the redelivery stores each order once', async () => {
    // Prepare
    consumer = await startProxiedConsumer('failover_45s', { personality: 'atlas' });
    await warmUp(consumer);
    const { ids, records } = newOrderBatch();
    const elected = primaryGoneFor(consumer, 45_000);

    // Act: the first delivery meets the outage; the redelivery comes once a primary is back
    const first = await invoke(consumer, records);
    const duringOutage = await readStoredOrders(consumer.database.db, ids);
    await elected;
    const redelivery = await invoke(consumer, records);

    // Assess: the invocation waited for a primary as long as it could, then reported every
    // record failed in time to answer (never a Lambda timeout)
    expect(first.response.batchItemFailures).toHaveLength(records.length);
    expect(first.tookMs).toBeGreaterThan(INVOCATION_MS - ANSWER_MARGIN_MS);
    expect(first.tookMs).toBeLessThan(INVOCATION_MS);
    expect([...duringOutage.values()].filter((order) => order.documents > 0)).toEqual([]);
    expect(redelivery.response.batchItemFailures).toEqual([]);
    expect(consumer.metrics.get(ORDER_METRICS.internalErrors)).toBeUndefined();
    await expectEachStoredOnce(consumer.database.db, ids, [consumer.orders.created]);
  }, 120_000);
});
