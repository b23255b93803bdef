import { afterEach, describe, expect, it, vi } from 'vitest';
import { FaultProxy } from '../../../../local/faults/FaultProxy.js';
import {
  mongoUriTarget,
  routeMongoUriThrough,
} from '../../../../local/faults/routeMongoUriThrough.js';
import { silentLogSink } from '../../../../local/runtime/logSinks.js';
import {
  type LocalRuntime,
  startLocalRuntime,
} from '../../../../local/runtime/startLocalRuntime.js';
import { orderEventFactory } from '../../../helpers/factories.js';
import { sendBodies } from '../../../helpers/localSqs.js';
import { openTestDatabase, type TestDatabase } from '../../../helpers/testDatabase.js';

/**
 * The mechanism behind the claims the 10,000-message chaos run left in progress on a slow machine:
 * the local runtime cut the consumer timeout to 5 s, so a batch had 4 s of database time. On a
 * loaded machine FerretDB needed longer; every delivery of a batch timed out after writing part of
 * it, its claims stayed in progress, and the writes it abandoned kept the server busy for the next
 * deliveries, until the messages used up their receives and reached the DLQ. Poison messages no
 * longer need short timeouts (the consumer dead-letters them at once), so the local runtime keeps
 * the stack's: a database that is slow, but answers within the timeout, costs time, not orders.
 */
// Each way, on every chunk: a batch of new orders is 3 commands, so 6 × this of database time,
// more than the 4 s a 5 s timeout left.
const LATENCY_MS = 800;
const ORDERS = 10;

describe('a database slower than a short deadline', () => {
  let database: TestDatabase | undefined;
  let proxy: FaultProxy | undefined;
  let runtime: LocalRuntime | undefined;

  afterEach(async () => {
    await runtime?.stop();
    await proxy?.stop();
    await database?.close();
  });

  it('stores every order once and leaves no claim in progress when a batch needs more than 4 s of database time', async () => {
    // Prepare: the local runtime with its default timeouts, MongoDB behind a slow proxy
    database = await openTestDatabase('slow_database');
    const target = mongoUriTarget(database.uri);
    proxy = await FaultProxy.start({ targetHost: target.host, targetPort: target.port });
    runtime = await startLocalRuntime({
      mongoUri: routeMongoUriThrough(database.uri, proxy),
      databaseName: database.databaseName,
      pollers: 1,
      logLevel: 'ERROR',
      logSink: silentLogSink,
      log: () => undefined,
    });
    const events = Array.from({ length: ORDERS }, () => orderEventFactory());
    const ids = events.map((event) => String(event.order_id));
    const { settings } = runtime;
    await proxy.setMode({ kind: 'latency', ms: LATENCY_MS });
    expect(6 * LATENCY_MS).toBeGreaterThan(4_000);
    expect(6 * LATENCY_MS).toBeLessThan(settings.consumerTimeoutSeconds * 1000 - 1_000);

    // Act
    await sendBodies(
      runtime.sqs,
      runtime.queueUrl,
      events.map((event) => JSON.stringify(event)),
    );
    const orders = database.db.collection<{ _id: string }>('orders');
    await vi.waitFor(
      async () => expect(await orders.countDocuments({ _id: { $in: ids } })).toBe(ORDERS),
      // Two deliveries' worth: the first batch also pays for connecting through the proxy.
      { timeout: 2 * settings.visibilityTimeoutSeconds * 1000, interval: 500 },
    );
    await runtime.waitUntilQuiet({ timeoutMs: settings.visibilityTimeoutSeconds * 1000 });

    // Assess
    expect(runtime.stats()).toMatchObject({ timeouts: 0, redeliveries: 0 });
    expect(
      await database.db.collection('idempotency').countDocuments({ status: 'INPROGRESS' }),
    ).toBe(0);
    expect((await runtime.queueDepth()).deadLetterQueue.visible).toBe(0);
  });
});
