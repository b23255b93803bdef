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
import { type CrashPoint, runUntilKilled } from './runUntilKilled.js';
import { type ProxiedConsumer, startProxiedConsumer } from './startProxiedConsumer.js';
import { readStoredOrders } from './storedOrders.js';

describe('the consumer process killed in the middle of a record', () => {
  let consumer: ProxiedConsumer | undefined;

  afterEach(async () => {
    await consumer?.close();
    consumer = undefined;
  });

  it.each<[CrashPoint, number]>([
    ['after-order-write', 1],
    ['before-order-write', 0],
  ])(
    'killed %s: a resend meanwhile is refused, and the retry after the in-progress expiry finishes the job once',
    async (point, documentsLeft) => {
      // Prepare
      consumer = await startProxiedConsumer(`killed_${point.replaceAll('-', '_')}`);
      const event = orderEventFactory();
      const id = String(event.order_id);
      const record = sqsRecordFactory(event);

      // Act: SIGKILL at the crash point, as a Lambda runtime killed there would leave it
      await runUntilKilled({
        point,
        mongoUri: consumer.database.uri,
        databaseName: consumer.database.databaseName,
        record,
        functionTimeoutMs: FUNCTION_TIMEOUT_MS,
      });
      const leftBehind = await readStoredOrders(consumer.database.db, [id]);
      // A producer resend arrives while the dead process's claim has not expired yet.
      const resend = sqsRecordFactory(event);
      const resendWhileClaimed = await consumer.handler(
        sqsEventFactory([resend]),
        lambdaContextFactory(FUNCTION_TIMEOUT_MS),
      );
      // SQS redelivers the original once its visibility timeout has passed.
      const settled = await redeliverUntilSettled(consumer.handler, [record], {
        functionTimeoutMs: FUNCTION_TIMEOUT_MS,
        visibilityTimeoutMs: VISIBILITY_TIMEOUT_MS,
      });

      // Assess
      expect(leftBehind.get(id)).toMatchObject({
        documents: documentsLeft,
        idempotency: 'INPROGRESS',
      });
      expect(resendWhileClaimed.batchItemFailures).toEqual([{ itemIdentifier: resend.messageId }]);
      expect(settled.deleted).toEqual([record.messageId]);
      await expectEachStoredOnce(consumer.database.db, [id], [consumer.orders.created]);
      const stored = (await readStoredOrders(consumer.database.db, [id])).get(id);
      // The write of the killed process is the one kept; the retry completes it without rewriting.
      expect(stored?.writtenBy).toBe(record.messageId);
      expect(consumer.orders.created.get(id) ?? 0).toBe(1 - documentsLeft);
    },
  );
});
