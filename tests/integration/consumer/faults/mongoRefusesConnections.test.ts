import { afterEach, describe, expect, it } from 'vitest';
import {
  lambdaContextFactory,
  orderEventFactory,
  sqsEventFactory,
  sqsRecordFactory,
} from '../../../helpers/factories.js';
import { expectEachStoredOnce } from './expectEachStoredOnce.js';
import { FUNCTION_TIMEOUT_MS, VISIBILITY_TIMEOUT_MS } from './faultTimings.js';
import { redeliverUntilSettled } from './redeliverUntilSettled.js';
import { type ProxiedConsumer, startProxiedConsumer } from './startProxiedConsumer.js';
import { readStoredOrders } from './storedOrders.js';

describe('MongoDB refusing connections', () => {
  let consumer: ProxiedConsumer | undefined;

  afterEach(async () => {
    await consumer?.close();
    consumer = undefined;
  });

  const batchOfFiveAndOneInvalid = () => {
    const events = Array.from({ length: 5 }, () => orderEventFactory());
    const invalid = sqsRecordFactory('{"order_id": ');
    return { events, invalid, records: [...events.map((e) => sqsRecordFactory(e)), invalid] };
  };

  it('fails the whole batch before the deadline and writes nothing; once MongoDB is back the redeliveries store each order once and only the invalid message reaches the DLQ', async () => {
    // Prepare: a warm container (pooled connections), then MongoDB goes down
    consumer = await startProxiedConsumer('refuse_warm');
    const warmUp = await consumer.handler(
      sqsEventFactory([sqsRecordFactory(orderEventFactory())]),
      lambdaContextFactory(FUNCTION_TIMEOUT_MS),
    );
    expect(warmUp.batchItemFailures).toEqual([]);
    await consumer.proxy.setMode({ kind: 'refuse' });
    consumer.proxy.resetAll();
    const { events, invalid, records } = batchOfFiveAndOneInvalid();
    const ids = events.map((event) => String(event.order_id));

    // Act
    const started = Date.now();
    const response = await consumer.handler(
      sqsEventFactory(records),
      lambdaContextFactory(FUNCTION_TIMEOUT_MS),
    );
    const answeredAfterMs = Date.now() - started;
    const duringOutage = await readStoredOrders(consumer.database.db, ids);
    await consumer.proxy.setMode({ kind: 'pass' });
    const failed = records.filter((record) =>
      response.batchItemFailures.some((f) => f.itemIdentifier === record.messageId),
    );
    const settled = await redeliverUntilSettled(consumer.handler, failed, {
      functionTimeoutMs: FUNCTION_TIMEOUT_MS,
      visibilityTimeoutMs: VISIBILITY_TIMEOUT_MS,
    });

    // Assess
    expect(failed).toHaveLength(records.length);
    expect(answeredAfterMs).toBeLessThan(FUNCTION_TIMEOUT_MS);
    expect([...duringOutage.values()].filter((order) => order.documents > 0)).toEqual([]);
    expect(settled.deadLettered.map((record) => record.messageId)).toEqual([invalid.messageId]);
    await expectEachStoredOnce(consumer.database.db, ids, [consumer.orders.created]);
  });

  it('recovers in a container that cold-started while MongoDB was refusing connections', async () => {
    // Prepare: the container's very first MongoDB operation meets a closed port
    consumer = await startProxiedConsumer('refuse_cold');
    await consumer.proxy.setMode({ kind: 'refuse' });
    const { events, records } = batchOfFiveAndOneInvalid();
    const ids = events.map((event) => String(event.order_id));
    const duringOutage = await consumer.handler(
      sqsEventFactory(records),
      lambdaContextFactory(FUNCTION_TIMEOUT_MS),
    );
    expect(duringOutage.batchItemFailures).toHaveLength(records.length);

    // Act: MongoDB is back; the same container gets the redeliveries
    await consumer.proxy.setMode({ kind: 'pass' });
    const settled = await redeliverUntilSettled(consumer.handler, records.slice(0, 5), {
      functionTimeoutMs: FUNCTION_TIMEOUT_MS,
      visibilityTimeoutMs: VISIBILITY_TIMEOUT_MS,
    });

    // Assess: no valid order may reach the DLQ because the outage happened at cold start
    expect(settled.deadLettered).toEqual([]);
    await expectEachStoredOnce(consumer.database.db, ids, [consumer.orders.created]);
  });
});
