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

// Every byte each way arrives later than the whole invocation may last.
const LATENCY_MS = FUNCTION_TIMEOUT_MS + 2_000;

describe('MongoDB answering slower than the Lambda timeout', () => {
  let consumer: ProxiedConsumer | undefined;

  afterEach(async () => {
    await consumer?.close();
    consumer = undefined;
  });

  it('answers before the Lambda deadline with every record failed, and the redeliveries store each order exactly once', async () => {
    // Prepare: a warm container, then MongoDB becomes slow
    consumer = await startProxiedConsumer('slow');
    const warmUp = await consumer.handler(
      sqsEventFactory([sqsRecordFactory(orderEventFactory())]),
      lambdaContextFactory(FUNCTION_TIMEOUT_MS),
    );
    expect(warmUp.batchItemFailures).toEqual([]);
    await consumer.proxy.setMode({ kind: 'latency', ms: LATENCY_MS });
    const events = Array.from({ length: 3 }, () => orderEventFactory());
    const ids = events.map((event) => String(event.order_id));
    const records = events.map((event) => sqsRecordFactory(event));

    // Act: the runtime would kill the invocation at its timeout; wait a little longer to see
    const started = Date.now();
    const answered = await Promise.race([
      consumer.handler(sqsEventFactory(records), lambdaContextFactory(FUNCTION_TIMEOUT_MS)),
      new Promise<'killed by the Lambda timeout'>((resolve) =>
        setTimeout(() => resolve('killed by the Lambda timeout'), FUNCTION_TIMEOUT_MS + 2_000),
      ),
    ]);
    const answeredAfterMs = Date.now() - started;

    // Assess: a response the mapping can act on, in time
    expect(answered).not.toBe('killed by the Lambda timeout');
    expect(answeredAfterMs).toBeLessThan(FUNCTION_TIMEOUT_MS);
    if (typeof answered === 'string') return;
    expect(answered.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      records.map((record) => record.messageId).sort(),
    );

    // Act: MongoDB is fast again; the queue redelivers
    await consumer.proxy.setMode({ kind: 'pass' });
    const settled = await redeliverUntilSettled(consumer.handler, records, {
      functionTimeoutMs: FUNCTION_TIMEOUT_MS,
      visibilityTimeoutMs: VISIBILITY_TIMEOUT_MS,
    });

    // Assess
    expect(settled.deadLettered).toEqual([]);
    await expectEachStoredOnce(consumer.database.db, ids, [consumer.orders.created]);
  });
});
