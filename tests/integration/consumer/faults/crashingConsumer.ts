/**
 * A consumer process that is meant to be killed: it handles one SQS record with the real consumer
 * and, at the chosen point, prints `CRASH_POINT_REACHED` and stalls until its parent SIGKILLs it.
 * Nothing after that point runs, no `finally`, no cleanup: the database keeps exactly what a
 * Lambda killed there would leave.
 *
 * Environment: MONGO_URI, MONGO_DB_NAME, CRASH_POINT (`before-order-write` | `after-order-write`),
 * FUNCTION_TIMEOUT_MS, SQS_RECORD (the record as JSON).
 */
import type { SQSRecord } from 'aws-lambda';
import { createMongoClient } from '../../../../lambda/shared/mongoClient.js';
import { defaultSettings } from '../../../../settings/serviceSettings.js';
import { lambdaContextFactory, sqsEventFactory } from '../../../helpers/factories.js';
import { buildTestConsumer } from './buildTestConsumer.js';

/** What the parent waits for on stdout before it kills this process. */
export const CRASH_POINT_REACHED = 'CRASH_POINT_REACHED';

const required = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
};

const stallForever = (): Promise<never> => {
  process.stdout.write(`${CRASH_POINT_REACHED}\n`);
  // A pending promise alone would let Node exit; a timer keeps the process alive until killed.
  setInterval(() => undefined, 60_000);
  return new Promise<never>(() => undefined);
};

const main = async () => {
  const uri = required('MONGO_URI');
  const point = required('CRASH_POINT');
  const record = JSON.parse(required('SQS_RECORD')) as SQSRecord;
  const client = createMongoClient(uri, {
    maxPoolSize: defaultSettings.mongoMaxPoolSize,
    appName: 'crashing-consumer',
  });
  const consumer = buildTestConsumer(client, {
    databaseName: required('MONGO_DB_NAME'),
  });
  consumer.orders.hooks =
    point === 'before-order-write' ? { before: stallForever } : { after: stallForever };
  await consumer.handler(
    sqsEventFactory([record]),
    lambdaContextFactory(Number(required('FUNCTION_TIMEOUT_MS'))),
  );
  // Reaching this line means the crash point was never hit.
  process.stdout.write('HANDLER_RETURNED\n');
  process.exit(3);
};

if (process.env.CRASH_POINT !== undefined) {
  main().catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(2);
  });
}
