import type { SQSClient } from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { type Document, MongoClient } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHealthHandler } from '../../../lambda/health/createHealthHandler.js';
import { createHealthMongoClient } from '../../../lambda/health/createHealthMongoClient.js';
import { createHealthSqsClient } from '../../../lambda/health/createHealthSqsClient.js';
import { loadHealthConfig } from '../../../lambda/health/loadHealthConfig.js';
import { loadConfig } from '../../../lambda/shared/config.js';
import { createLogger } from '../../../lambda/shared/logger.js';
import { createMongoClient } from '../../../lambda/shared/mongoClient.js';
import { FaultProxy } from '../../../local/faults/FaultProxy.js';
import { commandName } from '../../../local/faults/mongoWire.js';
import {
  mongoUriTarget,
  routeMongoUriThrough,
} from '../../../local/faults/routeMongoUriThrough.js';
import { defaultDeploymentSettings } from '../../../settings/serviceSettings.js';
import { createTestConsumer } from '../../helpers/consumerHarness.js';
import {
  lambdaContextFactory,
  orderEventFactory,
  sqsEventFactory,
  sqsRecordFactory,
} from '../../helpers/factories.js';
import {
  functionUrlEventFactory,
  structuredResult,
} from '../../helpers/functionUrlEventFactory.js';
import { openTestDatabase, type TestDatabase } from '../../helpers/testDatabase.js';
import { startTlsFerretDb, type TlsFerretDb } from '../../helpers/tlsFerretDb.js';
import { FUNCTION_TIMEOUT_MS } from '../consumer/faults/faultTimings.js';

const CHECK_TIMEOUT_MS = defaultDeploymentSettings.healthCheckTimeoutMs;

const opened: MongoClient[] = [];
let fauxqs: FauxqsServer;
let sqs: SQSClient;
let queueUrl: string;
let deadLetterQueueUrl: string;

beforeAll(async () => {
  fauxqs = await startFauxqs({ port: 0, logger: false });
  queueUrl = fauxqs.createQueue('order-queue').queueUrl;
  deadLetterQueueUrl = fauxqs.createQueue('order-queue-dlq').queueUrl;
  sqs = createHealthSqsClient(CHECK_TIMEOUT_MS, {
    endpoint: fauxqs.address,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

afterAll(async () => {
  await Promise.all(opened.map((client) => client.close()));
  sqs?.destroy();
  await fauxqs?.stop();
});

/** The consumer and the health check on `environment`, built as their entry points build them. */
const functionsWith = (environment: Record<string, string>) => {
  const env = { POISON_MESSAGES: 'redrive', QUEUE_URL: queueUrl, DLQ_URL: deadLetterQueueUrl };
  const config = loadConfig({ ...env, ...environment });
  const healthConfig = loadHealthConfig({ ...env, ...environment });
  const uri = config.mongoUri.kind === 'value' ? config.mongoUri.uri : '';
  const client = createMongoClient(uri, {
    maxPoolSize: config.mongoMaxPoolSize,
    appName: 'security-test',
    security: config.mongoSecurity,
  });
  const mongo = createHealthMongoClient(uri, CHECK_TIMEOUT_MS, healthConfig.mongoSecurity);
  opened.push(client, mongo);
  const consumer = createTestConsumer(client, config.databaseName, {
    environment: { ...env, ...environment },
  });
  const health = createHealthHandler({
    sqs,
    mongo,
    queueUrl,
    deadLetterQueueUrl,
    databaseName: config.databaseName,
    logger: createLogger('health-security-test', 'SILENT'),
    checkTimeoutMs: CHECK_TIMEOUT_MS,
  });
  const check = async () => {
    const result = structuredResult(await health(functionUrlEventFactory('GET')));
    return { statusCode: result.statusCode, body: JSON.parse(result.body ?? '{}') };
  };
  return { ...consumer, check };
};

const batchOfFive = () => {
  const ids = Array.from({ length: 5 }, () => String(orderEventFactory().order_id));
  const records = ids.map((order_id) => sqsRecordFactory(orderEventFactory({ order_id })));
  return { ids, records };
};

const failedIds = (response: { batchItemFailures: { itemIdentifier: string }[] }) =>
  response.batchItemFailures.map((failure) => failure.itemIdentifier).sort();

describe('both functions against a MongoDB that speaks TLS only (FerretDB, a CA made for the run)', () => {
  let tls: TlsFerretDb;
  let trusted: MongoClient;

  beforeAll(async () => {
    tls = await startTlsFerretDb();
    trusted = new MongoClient(tls.uri, { tls: true, tlsCAFile: tls.caFile });
  });

  afterAll(async () => {
    await trusted?.close();
    await tls?.stop();
  });

  const storedCount = (databaseName: string, ids: string[]) =>
    trusted
      .db(databaseName)
      .collection<{ _id: string }>('orders')
      .countDocuments({ _id: { $in: ids } });

  it('stores a batch of orders and answers healthy with the CA of MONGO_TLS_CA_FILE', async () => {
    // Prepare
    const databaseName = 'tls_trusted';
    const { handler, check } = functionsWith({
      MONGO_URI: tls.uri,
      MONGO_TLS_CA_FILE: tls.caFile,
      MONGO_DB_NAME: databaseName,
    });
    const { ids, records } = batchOfFive();

    // Act
    const response = await handler(
      sqsEventFactory(records),
      lambdaContextFactory(FUNCTION_TIMEOUT_MS),
    );
    const health = await check();

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(await storedCount(databaseName, ids)).toBe(ids.length);
    expect(health.statusCode).toBe(200);
    expect(health.body).toMatchObject({ status: 'healthy', db_connected: true });
  });

  it.each([
    ['a CA that did not sign the certificate', () => ({ MONGO_TLS_CA_FILE: tls.otherCaFile })],
    ['a CA file that is not there', () => ({ MONGO_TLS_CA_FILE: tls.missingFile })],
    ['no MONGO_TLS_CA_FILE (only the system CAs)', () => ({ MONGO_URI: `${tls.uri}?tls=true` })],
  ])(
    'fails every record in time, stores nothing, names TLS and MONGO_TLS_CA_FILE once and answers 503, with %s',
    async (_, ca) => {
      // Prepare
      const databaseName = `tls_untrusted_${Math.random().toString(36).slice(2, 8)}`;
      const { handler, lines, check } = functionsWith({
        MONGO_URI: tls.uri,
        MONGO_DB_NAME: databaseName,
        ...ca(),
      });
      const { ids, records } = batchOfFive();

      // Act
      const started = Date.now();
      const response = await handler(
        sqsEventFactory(records),
        lambdaContextFactory(FUNCTION_TIMEOUT_MS),
      );
      const answeredAfterMs = Date.now() - started;
      const health = await check();

      // Assess
      expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(
        records.map((record) => record.messageId).sort(),
      );
      expect(answeredAfterMs).toBeLessThan(FUNCTION_TIMEOUT_MS);
      expect(await storedCount(databaseName, ids)).toBe(0);
      const named = lines.filter((line) => line.message.includes('MONGO_TLS_CA_FILE'));
      expect(named).toEqual([expect.objectContaining({ level: 'ERROR' })]);
      expect(named[0]?.message).toContain('TLS');
      for (const record of records) {
        expect(lines).toContainEqual(
          expect.objectContaining({
            messageId: record.messageId,
            reason: 'dependency-unavailable',
            retryable: true,
          }),
        );
      }
      expect(health.statusCode).toBe(503);
      expect(health.body).toMatchObject({ status: 'unhealthy', db_connected: false });
    },
  );
});

describe('MONGO_AUTH=aws-iam, through the fault proxy in front of the test server', () => {
  let database: TestDatabase;
  let proxy: FaultProxy;

  beforeAll(async () => {
    database = await openTestDatabase('aws_iam');
    const target = mongoUriTarget(database.uri);
    proxy = await FaultProxy.start({
      targetHost: target.host,
      targetPort: target.port,
      recordCommands: true,
    });
  });

  afterAll(async () => {
    await proxy?.stop();
    await database?.close();
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  const mechanismsSent = () =>
    proxy
      .commands()
      .filter((command) => commandName(command) === 'saslStart')
      .map((command) => command.mechanism);

  it('has the consumer and the health check start MONGODB-AWS with the execution role credentials; refused, the records come back as failures and health answers 503', async () => {
    // Prepare: the credentials Lambda gives a function's execution role, in its environment
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'ASIAEXAMPLEEXECUTIONROLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'execution-role-secret');
    vi.stubEnv('AWS_SESSION_TOKEN', 'execution-role-session');
    const { handler, lines, check } = functionsWith({
      MONGO_URI: routeMongoUriThrough(database.uri, proxy),
      MONGO_AUTH: 'aws-iam',
      MONGO_DB_NAME: database.databaseName,
    });
    const { ids, records } = batchOfFive();

    // Act
    const started = Date.now();
    const response = await handler(
      sqsEventFactory(records),
      lambdaContextFactory(FUNCTION_TIMEOUT_MS),
    );
    const answeredAfterMs = Date.now() - started;
    const byConsumer = mechanismsSent();
    const health = await check();
    const byHealth = mechanismsSent().slice(byConsumer.length);

    // Assess
    expect(byConsumer).toContain('MONGODB-AWS');
    expect(byHealth).toContain('MONGODB-AWS');
    expect(new Set([...byConsumer, ...byHealth])).toEqual(new Set(['MONGODB-AWS']));
    expect(failedIds(response)).toEqual(records.map((record) => record.messageId).sort());
    expect(answeredAfterMs).toBeLessThan(FUNCTION_TIMEOUT_MS);
    expect(
      await database.db.collection('orders').countDocuments({ _id: { $in: ids } } as Document),
    ).toBe(0);
    const named = lines.filter((line) => line.message.includes('MONGO_AUTH'));
    expect(named).toEqual([expect.objectContaining({ level: 'ERROR' })]);
    for (const record of records) {
      expect(lines).toContainEqual(
        expect.objectContaining({ messageId: record.messageId, reason: 'dependency-unavailable' }),
      );
    }
    expect(health.statusCode).toBe(503);
    expect(health.body).toMatchObject({ status: 'unhealthy', db_connected: false });
  });
});
