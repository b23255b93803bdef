import type { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { createMongoClient } from '../../../../lambda/shared/mongoClient.js';
import { defaultSettings } from '../../../../settings/serviceSettings.js';
import {
  lambdaContextFactory,
  orderEventFactory,
  sqsEventFactory,
  sqsRecordFactory,
} from '../../../helpers/factories.js';
import { buildTestConsumer } from './buildTestConsumer.js';
import { expectEachStoredOnce } from './expectEachStoredOnce.js';
import { FUNCTION_TIMEOUT_MS, VISIBILITY_TIMEOUT_MS } from './faultTimings.js';
import { Gate } from './Gate.js';
import { redeliverUntilSettled } from './redeliverUntilSettled.js';
import { type ProxiedConsumer, startProxiedConsumer } from './startProxiedConsumer.js';
import { readStoredOrders } from './storedOrders.js';

describe('a duplicate delivered while the first copy is still in progress', () => {
  let consumer: ProxiedConsumer | undefined;
  let secondClient: MongoClient | undefined;

  afterEach(async () => {
    await secondClient?.close();
    secondClient = undefined;
    await consumer?.close();
    consumer = undefined;
  });

  it('fails the duplicate as in progress without waiting or writing; after the first completes, the retry succeeds without a second write', async () => {
    // Prepare: two containers on the same database; the first stalls before its order write
    consumer = await startProxiedConsumer('duplicate');
    secondClient = createMongoClient(consumer.database.uri, {
      maxPoolSize: defaultSettings.mongoMaxPoolSize,
      appName: 'fault-test-duplicate-second',
    });
    const second = buildTestConsumer(secondClient, {
      databaseName: consumer.database.databaseName,
    });
    const gate = new Gate();
    consumer.orders.hooks = { before: () => gate.passage() };
    const event = orderEventFactory();
    const id = String(event.order_id);
    // A producer resend: same order, new message id.
    const original = sqsRecordFactory(event);
    const resend = sqsRecordFactory(event);

    // Act
    const first = consumer.handler(
      sqsEventFactory([original]),
      lambdaContextFactory(FUNCTION_TIMEOUT_MS * 10),
    );
    await gate.reached;
    const duplicate = await second.handler(
      sqsEventFactory([resend]),
      lambdaContextFactory(FUNCTION_TIMEOUT_MS),
    );
    const whileInProgress = await readStoredOrders(consumer.database.db, [id]);
    gate.open();
    const firstResponse = await first;
    const settled = await redeliverUntilSettled(second.handler, [resend], {
      functionTimeoutMs: FUNCTION_TIMEOUT_MS,
      visibilityTimeoutMs: VISIBILITY_TIMEOUT_MS,
    });

    // Assess
    expect(duplicate.batchItemFailures).toEqual([{ itemIdentifier: resend.messageId }]);
    expect(whileInProgress.get(id)).toMatchObject({ documents: 0, idempotency: 'INPROGRESS' });
    expect(firstResponse.batchItemFailures).toEqual([]);
    expect(settled.deleted).toEqual([resend.messageId]);
    expect(second.orders.created.get(id)).toBeUndefined();
    await expectEachStoredOnce(
      consumer.database.db,
      [id],
      [consumer.orders.created, second.orders.created],
    );
    expect((await readStoredOrders(consumer.database.db, [id])).get(id)?.writtenBy).toBe(
      original.messageId,
    );
  });
});
