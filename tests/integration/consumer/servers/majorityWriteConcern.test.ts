import type { Document } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { configDefaults } from '../../../../lambda/shared/config.js';
import { toOrderDocument } from '../../../../lambda/shared/orderDocument.js';
import { parseOrderEvent } from '../../../../lambda/shared/orderEvent.js';
import { commandName } from '../../../../local/faults/mongoWire.js';
import { orderEventFactory, sqsRecordFactory } from '../../../helpers/factories.js';
import { expectEachStoredOnce } from '../faults/expectEachStoredOnce.js';
import { type ProxiedConsumer, startProxiedConsumer } from '../faults/startProxiedConsumer.js';
import { invoke, newOrderBatch, warmUp } from './serverScenario.js';

const WRITES = ['insert', 'update', 'delete'];
// What the driver sends on its own: the handshake and monitoring, and closing sessions.
const DRIVER_OWN = ['hello', 'ismaster', 'isMaster', 'endSessions'];

describe('a URI that says w=1', () => {
  let consumer: ProxiedConsumer | undefined;

  afterEach(async () => {
    await consumer?.close();
    consumer = undefined;
  });

  it('still sends every write (claims, orders, completions, releases) with majority write concern, and every command with maxTimeMS', async () => {
    // Prepare: a replica set whose URI asks for w=1; an order another writer stored otherwise,
    // so one record's claim is released after its conflict
    consumer = await startProxiedConsumer('write_concern', {
      personality: 'atlas',
      uriOptions: { w: '1' },
      recordCommands: true,
    });
    await warmUp(consumer);
    const { ids, records } = newOrderBatch();
    const rival = orderEventFactory();
    await consumer.database.db.collection(configDefaults.ORDERS_COLLECTION).insertOne(
      toOrderDocument(parseOrderEvent(JSON.stringify({ ...rival, user_id: 'U-other' })), {
        messageId: 'another-writer',
        now: new Date(),
      }) as unknown as Document,
    );

    // Act
    const { response } = await invoke(consumer, [...records, sqsRecordFactory(rival)]);

    // Assess
    const sent = consumer.proxy.commands();
    const writes = sent.filter((command) => WRITES.includes(commandName(command)));
    expect(new Set(writes.map(commandName))).toEqual(new Set(WRITES));
    expect(writes.filter((command) => command.writeConcern?.w !== 'majority')).toEqual([]);
    const ours = sent.filter((command) => !DRIVER_OWN.includes(commandName(command)));
    expect(ours.filter((command) => typeof command.maxTimeMS !== 'number')).toEqual([]);
    expect(response.batchItemFailures).toHaveLength(1);
    await expectEachStoredOnce(consumer.database.db, ids, [consumer.orders.created]);
  });
});
