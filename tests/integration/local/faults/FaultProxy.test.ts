import { MongoClient } from 'mongodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FaultProxy } from '../../../../local/faults/FaultProxy.js';
import {
  mongoUriTarget,
  routeMongoUriThrough,
} from '../../../../local/faults/routeMongoUriThrough.js';
import { openTestDatabase, type TestDatabase } from '../../../helpers/testDatabase.js';

const OPERATION_TIMEOUT_MS = 1_000;

describe('FaultProxy between a MongoDB client and the real server', () => {
  let database: TestDatabase;
  let proxy: FaultProxy;
  let client: MongoClient;

  const ping = async (): Promise<{ ok: boolean; ms: number; error?: string }> => {
    const started = Date.now();
    try {
      await client
        .db(database.databaseName)
        .command({ ping: 1 }, { timeoutMS: OPERATION_TIMEOUT_MS });
      return { ok: true, ms: Date.now() - started };
    } catch (error) {
      return { ok: false, ms: Date.now() - started, error: String(error) };
    }
  };

  // The driver marks the server unknown after a network error and rediscovers it on its own time.
  const pingUntilHealthy = async (timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    let result = await ping();
    while (!result.ok && Date.now() < deadline) result = await ping();
    return result;
  };

  beforeEach(async () => {
    database = await openTestDatabase('proxy');
    const target = mongoUriTarget(database.uri);
    proxy = await FaultProxy.start({ targetHost: target.host, targetPort: target.port });
    client = new MongoClient(routeMongoUriThrough(database.uri, proxy), {
      serverSelectionTimeoutMS: OPERATION_TIMEOUT_MS,
      connectTimeoutMS: OPERATION_TIMEOUT_MS,
      retryReads: false,
      // The monitor, not timeoutMS, notices a silent server: check often to keep the test short.
      heartbeatFrequencyMS: 500,
    });
  });

  afterEach(async () => {
    await proxy.setMode({ kind: 'pass' });
    await client.close();
    await proxy.stop();
    await database.close();
  });

  it('routes the client through the proxy, not around it', async () => {
    // Act
    const result = await ping();

    // Assess
    expect(result.ok).toBe(true);
    expect(proxy.stats().accepted).toBeGreaterThan(0);
    expect(proxy.stats().bytesFromTarget).toBeGreaterThan(0);
  });

  it('refuses new connections and accepts them again on the same port', async () => {
    // Prepare: connected first; a client whose very first connection fails stays closed (driver)
    expect((await ping()).ok).toBe(true);
    const port = proxy.port;
    await proxy.setMode({ kind: 'refuse' });
    proxy.resetAll();

    // Act: the first operation meets its reset connection, the next one a closed port
    const interrupted = await ping();
    const refused = await ping();
    await proxy.setMode({ kind: 'pass' });
    const healed = await pingUntilHealthy();

    // Assess
    expect(interrupted.ok).toBe(false);
    expect(refused.ok).toBe(false);
    expect(refused.error).toMatch(/ECONNREFUSED/);
    expect(healed.ok).toBe(true);
    expect(proxy.port).toBe(port);
  });

  it('resets every open connection on command, and the client reconnects', async () => {
    // Prepare
    expect((await ping()).ok).toBe(true);
    const open = proxy.openConnections;

    // Act
    const reset = proxy.resetAll();
    const after = await pingUntilHealthy();

    // Assess
    expect(open).toBeGreaterThan(0);
    expect(reset).toBe(open);
    expect(after.ok).toBe(true);
  });

  it('resets connections on accept in reset-on-accept mode', async () => {
    // Prepare
    expect((await ping()).ok).toBe(true);
    await proxy.setMode({ kind: 'reset-on-accept' });
    proxy.resetAll();

    // Act
    const result = await ping();

    // Assess
    expect(result.ok).toBe(false);
    expect(proxy.stats().reset).toBeGreaterThan(0);
  });

  it('delays every answer in latency mode', async () => {
    // Prepare
    expect((await ping()).ok).toBe(true);
    await proxy.setMode({ kind: 'latency', ms: 200 });

    // Act
    const slow = await ping();

    // Assess
    expect(slow.ok).toBe(true);
    expect(slow.ms).toBeGreaterThanOrEqual(2 * 200 - 20);
  });

  it('lets a write reach the server but drops its answer in drop-replies mode; leaving it resets the connection', async () => {
    // Prepare
    expect((await ping()).ok).toBe(true);
    await proxy.setMode({ kind: 'drop-replies' });
    let settled = false;

    // Act: a command, never retried by the driver, whose answer is dropped once it is carried out
    const write = client
      .db(database.databaseName)
      .command({ insert: 'replies', documents: [{ _id: 'carried-out' }] })
      .then(
        () => 'acknowledged',
        (error: unknown) => String(error),
      )
      .finally(() => {
        settled = true;
      });
    await vi.waitFor(
      async () => expect(await database.db.collection('replies').countDocuments()).toBe(1),
      { timeout: OPERATION_TIMEOUT_MS, interval: 10 },
    );
    const settledWhileDropped = settled;
    await proxy.setMode({ kind: 'pass' });
    const outcome = await write;
    const healed = await pingUntilHealthy();

    // Assess
    expect(settledWhileDropped).toBe(false);
    expect(outcome).not.toBe('acknowledged');
    expect(proxy.stats().reset).toBeGreaterThan(0);
    expect(healed.ok).toBe(true);
  });

  it('swallows traffic in blackhole mode until the client times out, then heals', async () => {
    // Prepare
    expect((await ping()).ok).toBe(true);
    await proxy.setMode({ kind: 'blackhole' });

    // Act
    const swallowed = await ping();
    await proxy.setMode({ kind: 'pass' });
    const healed = await pingUntilHealthy();

    // Assess: the driver gives up when its monitor times out, not at timeoutMS (a no-op in driver 7)
    expect(swallowed.ok).toBe(false);
    expect(swallowed.ms).toBeGreaterThanOrEqual(OPERATION_TIMEOUT_MS - 50);
    expect(healed.ok).toBe(true);
  });
});
