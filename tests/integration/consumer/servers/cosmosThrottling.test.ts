import { afterEach, describe, expect, it } from 'vitest';
import { ORDER_METRICS } from '../../../../lambda/consumer/orderMetrics.js';
import { expectEachStoredOnce } from '../faults/expectEachStoredOnce.js';
import { type ProxiedConsumer, startProxiedConsumer } from '../faults/startProxiedConsumer.js';
import { invoke, newOrderBatch, throttledFor, warmUp } from './serverScenario.js';

describe('Azure Cosmos DB for MongoDB throttling', () => {
  let consumer: ProxiedConsumer | undefined;

  afterEach(async () => {
    await consumer?.close();
    consumer = undefined;
  });

  it('waits out 3 s of 16500 "Request rate is large" and stores the 10 orders, with no internal error', async () => {
    // Prepare: the request units run out for 3 s
    consumer = await startProxiedConsumer('cosmos_16500', { personality: 'cosmos' });
    await warmUp(consumer);
    const { ids, records } = newOrderBatch();
    const refilled = throttledFor(consumer, 3_000, 100);

    // Act
    const { response } = await invoke(consumer, records);
    await refilled;

    // Assess: throttling is an outage to wait out, counted as retries, never as a bug
    expect(response.batchItemFailures).toEqual([]);
    expect(consumer.metrics.get(ORDER_METRICS.internalErrors)).toBeUndefined();
    expect(consumer.metrics.get(ORDER_METRICS.mongoRetries)).toBeGreaterThan(0);
    await expectEachStoredOnce(consumer.database.db, ids, [consumer.orders.created]);
  });
});
