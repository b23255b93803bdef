import { createServer, type Server, type Socket } from 'node:net';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createHealthHandler,
  type HealthBody,
} from '../../../lambda/health/createHealthHandler.js';
import { createHealthMongoClient } from '../../../lambda/health/createHealthMongoClient.js';
import { createHealthSqsClient } from '../../../lambda/health/createHealthSqsClient.js';
import { createLogger } from '../../../lambda/shared/logger.js';
import { FaultProxy } from '../../../local/faults/FaultProxy.js';
import {
  mongoUriTarget,
  routeMongoUriThrough,
} from '../../../local/faults/routeMongoUriThrough.js';
import { freePort } from '../../../local/runtime/freePort.js';
import { defaultDeploymentSettings } from '../../../settings/serviceSettings.js';
import {
  functionUrlEventFactory,
  structuredResult,
} from '../../helpers/functionUrlEventFactory.js';

// The contract says "within about 2 s whatever is down"; checks are bounded at 1.5 s each.
const ANSWER_BOUND_MS = 2_500;
const CHECK_TIMEOUT_MS = defaultDeploymentSettings.healthCheckTimeoutMs;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** A TCP server that accepts connections and never answers: a hung dependency. */
const startBlackHole = async (): Promise<{ port: number; stop: () => Promise<void> }> => {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    stop: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
};

describe('health handler against real SQS (fauxqs) and a real MongoDB wire server', () => {
  const logger = createLogger('health-integration', 'SILENT');
  const mongoUri = inject('mongoUri');
  const openedClients: MongoClient[] = [];
  const bodies: string[] = [];
  let fauxqs: FauxqsServer;
  let sqs: SQSClient;
  let queueUrl: string;
  let deadLetterQueueUrl: string;
  let blackHole: Awaited<ReturnType<typeof startBlackHole>>;

  const mongoAt = (uri: string): MongoClient => {
    const client = createHealthMongoClient(uri, CHECK_TIMEOUT_MS);
    openedClients.push(client);
    return client;
  };

  // fauxqs' queue URLs name the host `sqs.<region>.localhost`, which does not resolve here: the
  // client names the endpoint, as LocalStack's AWS_ENDPOINT_URL does in a Lambda container.
  const sqsAt = (endpoint: string): SQSClient =>
    createHealthSqsClient(CHECK_TIMEOUT_MS, { endpoint, region: 'us-east-1', credentials });

  const check = async (deps: { sqs?: SQSClient; mongo?: MongoClient; queueUrl?: string }) => {
    const handler = createHealthHandler({
      sqs: deps.sqs ?? sqs,
      mongo: deps.mongo ?? mongoAt(mongoUri),
      queueUrl: deps.queueUrl ?? queueUrl,
      deadLetterQueueUrl,
      databaseName: 'order_db',
      logger,
    });
    const started = performance.now();
    const result = structuredResult(await handler(functionUrlEventFactory('GET')));
    const elapsedMs = performance.now() - started;
    bodies.push(result.body ?? '');
    return { result, elapsedMs, body: JSON.parse(result.body ?? '{}') as HealthBody };
  };

  beforeAll(async () => {
    fauxqs = await startFauxqs({ port: 0, logger: false });
    queueUrl = fauxqs.createQueue('order-queue').queueUrl;
    deadLetterQueueUrl = fauxqs.createQueue('order-queue-dlq').queueUrl;
    sqs = sqsAt(fauxqs.address);
    blackHole = await startBlackHole();
  });

  afterAll(async () => {
    await Promise.all(openedClients.map((client) => client.close()));
    await blackHole?.stop();
    await fauxqs?.stop();
  });

  it('answers 200 healthy with the queue depth when SQS and MongoDB are up', async () => {
    // Prepare
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"order_id":"A"}' }));

    // Act
    const { result, body } = await check({});

    // Assess
    expect(result.statusCode).toBe(200);
    expect(body).toMatchObject({
      status: 'healthy',
      sqs_connected: true,
      db_connected: true,
      queue_depth: 1,
      dlq_depth: 0,
    });
  });

  it('reaches SQS through AWS_ENDPOINT_URL alone, as in a LocalStack Lambda container', async () => {
    // Prepare: the standard SDK configuration only, and a queue URL whose host does not resolve here
    const standardConfiguration: Record<string, string> = {
      AWS_ENDPOINT_URL: fauxqs.address,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    };
    const saved = Object.keys(standardConfiguration).map(
      (name) => [name, process.env[name]] as const,
    );
    Object.assign(process.env, standardConfiguration);
    const fromEnvironment = createHealthSqsClient(CHECK_TIMEOUT_MS);

    try {
      // Act
      const { result, body } = await check({ sqs: fromEnvironment });

      // Assess
      expect(new URL(queueUrl).hostname).toBe('sqs.us-east-1.localhost');
      expect(result.statusCode).toBe(200);
      expect(body).toMatchObject({ sqs_connected: true, db_connected: true });
    } finally {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('answers 503 with db_connected false, fast, when nothing listens at the MongoDB address', async () => {
    // Prepare
    const mongo = mongoAt(`mongodb://127.0.0.1:${await freePort()}/`);

    // Act
    const { result, body, elapsedMs } = await check({ mongo });

    // Assess
    expect(result.statusCode).toBe(503);
    expect(body).toMatchObject({ status: 'unhealthy', sqs_connected: true, db_connected: false });
    expect(elapsedMs).toBeLessThan(ANSWER_BOUND_MS);
  });

  it('answers 200 again once MongoDB is back, in a container born while it was down', async () => {
    // Prepare: the container's first ping meets a closed port
    const target = mongoUriTarget(mongoUri);
    const proxy = await FaultProxy.start({ targetHost: target.host, targetPort: target.port });
    const mongo = mongoAt(routeMongoUriThrough(mongoUri, proxy));
    await proxy.setMode({ kind: 'refuse' });
    const duringOutage = await check({ mongo });

    // Act: MongoDB is back; the same container is asked again
    await proxy.setMode({ kind: 'pass' });
    const afterwards = await check({ mongo });
    await proxy.stop();

    // Assess
    expect(duringOutage.result.statusCode).toBe(503);
    expect(afterwards.result.statusCode).toBe(200);
  });

  it('answers 503 with db_connected false, fast, when MongoDB accepts but never answers', async () => {
    // Prepare
    const mongo = mongoAt(`mongodb://127.0.0.1:${blackHole.port}/`);

    // Act
    const { result, body, elapsedMs } = await check({ mongo });

    // Assess
    expect(result.statusCode).toBe(503);
    expect(body).toMatchObject({ status: 'unhealthy', sqs_connected: true, db_connected: false });
    expect(elapsedMs).toBeLessThan(ANSWER_BOUND_MS);
  });

  it('answers 503 with sqs_connected false, fast, when the served queue does not exist', async () => {
    // Prepare
    const missing = queueUrl.replace(/order-queue$/, 'no-such-queue');

    // Act
    const { result, body, elapsedMs } = await check({ queueUrl: missing });

    // Assess
    expect(result.statusCode).toBe(503);
    expect(body).toMatchObject({ status: 'unhealthy', sqs_connected: false, db_connected: true });
    expect(elapsedMs).toBeLessThan(ANSWER_BOUND_MS);
  });

  it('answers 503 with sqs_connected false, fast, when nothing listens at the SQS endpoint', async () => {
    // Prepare
    const down = sqsAt(`http://127.0.0.1:${await freePort()}`);

    // Act
    const { result, body, elapsedMs } = await check({ sqs: down });

    // Assess
    expect(result.statusCode).toBe(503);
    expect(body).toMatchObject({ status: 'unhealthy', sqs_connected: false, db_connected: true });
    expect(body.dlq_depth).toBeNull();
    expect(elapsedMs).toBeLessThan(ANSWER_BOUND_MS);
  });

  it('answers 503, fast, when the SQS endpoint and MongoDB both accept but never answer', async () => {
    // Prepare
    const hungSqs = sqsAt(`http://127.0.0.1:${blackHole.port}`);
    const hungMongo = mongoAt(`mongodb://127.0.0.1:${blackHole.port}/`);

    // Act
    const { result, body, elapsedMs } = await check({ sqs: hungSqs, mongo: hungMongo });

    // Assess
    expect(result.statusCode).toBe(503);
    expect(body).toMatchObject({ status: 'unhealthy', sqs_connected: false, db_connected: false });
    expect(elapsedMs).toBeLessThan(ANSWER_BOUND_MS);
  });

  it('never leaks a URI, an address, error text or a stack in any body', () => {
    // Assess (over every body the cases above produced)
    expect(bodies.length).toBeGreaterThanOrEqual(6);
    for (const body of bodies) {
      expect(Object.keys(JSON.parse(body)).sort()).toEqual([
        'checked_at',
        'db_connected',
        'dlq_depth',
        'latency_ms',
        'queue_depth',
        'sqs_connected',
        'status',
      ]);
      // The timestamp is the one value with colons in it; nothing else may look like host:port.
      const { checked_at: _timestamp, ...rest } = JSON.parse(body) as HealthBody;
      expect(JSON.stringify(rest)).not.toMatch(
        /mongodb:|https?:|127\.0\.0\.1|localhost|[\w.-]+:\d{2,5}|Error|ECONN|\n\s+at /,
      );
    }
  });
});
