import { afterEach, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../../settings/serviceSettings.js';
import {
  lambdaContextFactory,
  orderEventFactory,
  sqsEventFactory,
  sqsRecordFactory,
} from '../../../helpers/factories.js';
import { waitFor } from '../../../helpers/localSqs.js';
import { expectEachStoredOnce } from './expectEachStoredOnce.js';
import { FUNCTION_TIMEOUT_MS, VISIBILITY_TIMEOUT_MS } from './faultTimings.js';
import { redeliverUntilSettled } from './redeliverUntilSettled.js';
import { type ProxiedConsumer, startProxiedConsumer } from './startProxiedConsumer.js';

// Slow enough that a batch is still talking to MongoDB when the first order lands.
const LATENCY_MS = 60;
const RESETS = 3;
const RESET_INTERVAL_MS = 150;

describe('connections reset in the middle of a batch', () => {
  let consumer: ProxiedConsumer | undefined;

  afterEach(async () => {
    await consumer?.close();
    consumer = undefined;
  });

  it('leaves no order half-done: the records cut off fail, and the redeliveries store each order exactly once', async () => {
    // Prepare
    consumer = await startProxiedConsumer('reset');
    const proxied = consumer;
    await proxied.proxy.setMode({ kind: 'latency', ms: LATENCY_MS });
    const events = Array.from({ length: defaultSettings.batchSize }, () => orderEventFactory());
    const ids = events.map((event) => String(event.order_id));
    const records = events.map((event) => sqsRecordFactory(event));
    const orders = proxied.database.db.collection<{ _id: string }>('orders');

    // Act: reset every connection as soon as the first order is in, then again, while it runs
    const delivery = proxied.handler(
      sqsEventFactory(records),
      lambdaContextFactory(FUNCTION_TIMEOUT_MS),
    );
    await waitFor('the first order of the batch to be stored', async () => {
      return (await orders.countDocuments({ _id: { $in: ids } })) > 0;
    });
    let resets = 0;
    for (let round = 0; round < RESETS; round++) {
      resets += proxied.proxy.resetAll();
      await Promise.race([
        delivery,
        new Promise((resolve) => setTimeout(resolve, RESET_INTERVAL_MS)),
      ]);
    }
    const response = await delivery;
    await proxied.proxy.setMode({ kind: 'pass' });
    const failed = records.filter((record) =>
      response.batchItemFailures.some((f) => f.itemIdentifier === record.messageId),
    );
    const settled = await redeliverUntilSettled(proxied.handler, failed, {
      functionTimeoutMs: FUNCTION_TIMEOUT_MS,
      visibilityTimeoutMs: VISIBILITY_TIMEOUT_MS,
    });

    // Assess: the fault did cut records off, and the end state is exact
    expect(resets).toBeGreaterThan(0);
    expect(failed.length).toBeGreaterThan(0);
    expect(settled.deadLettered).toEqual([]);
    await expectEachStoredOnce(proxied.database.db, ids, [proxied.orders.created]);
  });
});
