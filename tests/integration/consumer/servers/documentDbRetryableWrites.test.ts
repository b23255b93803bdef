import { afterEach, describe, expect, it } from 'vitest';
import { ORDER_METRICS } from '../../../../lambda/consumer/orderMetrics.js';
import { configDefaults } from '../../../../lambda/shared/config.js';
import { expectEachStoredOnce } from '../faults/expectEachStoredOnce.js';
import { type ProxiedConsumer, startProxiedConsumer } from '../faults/startProxiedConsumer.js';
import { idempotencyKeyOf } from '../faults/storedOrders.js';
import { invoke, newOrderBatch, warmUp } from './serverScenario.js';

describe('Amazon DocumentDB, which refuses retryable writes', () => {
  let consumer: ProxiedConsumer | undefined;

  afterEach(async () => {
    await consumer?.close();
    consumer = undefined;
  });

  it('stores 10 orders, one of them behind a stale claim it takes over, and sends no command with a txnNumber', async () => {
    // Prepare: DocumentDB's URI says retryWrites=false; a claim left by a container that died
    consumer = await startProxiedConsumer('documentdb_301', {
      personality: 'documentdb',
      uriOptions: { retryWrites: 'false' },
      recordCommands: true,
    });
    await warmUp(consumer);
    const { ids, records } = newOrderBatch();
    await consumer.database.db.collection(configDefaults.IDEMPOTENCY_COLLECTION).insertOne({
      _id: idempotencyKeyOf(ids[0] ?? '') as never,
      status: 'INPROGRESS',
      generation: 'the-dead-container',
      expiresAt: new Date(Date.now() + 3_600_000),
      inProgressExpiresAt: new Date(Date.now() - 1_000),
    });

    // Act
    const { response } = await invoke(consumer, records);

    // Assess: the server never saw a command it refuses (301), so nothing failed
    expect(response.batchItemFailures).toEqual([]);
    expect(consumer.proxy.commands().filter((command) => command.txnNumber !== undefined)).toEqual(
      [],
    );
    expect(consumer.metrics.get(ORDER_METRICS.internalErrors)).toBeUndefined();
    await expectEachStoredOnce(consumer.database.db, ids, [consumer.orders.created]);
  });
});
