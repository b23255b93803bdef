import { type Db, type Document, type MongoClient, MongoNetworkError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumerHandler } from '../../../lambda/consumer/createConsumerHandler.js';
import { createCapturingLogger, testConsumerDependencies } from '../../helpers/consumerHarness.js';
import {
  lambdaContextFactory,
  orderEventFactory,
  sqsEventFactory,
  sqsRecordFactory,
} from '../../helpers/factories.js';
import { openTestDatabase, type TestDatabase } from '../../helpers/testDatabase.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await openTestDatabase('completion_lost');
});

afterAll(async () => {
  await database.close();
});

/** The client, except that `update` commands (the claims' completions) fail as on a reset. */
const completionsFail = (client: MongoClient): MongoClient => {
  const db = (name: string): Db =>
    new Proxy(client.db(name), {
      get: (target, property) => {
        const value = Reflect.get(target, property, target);
        if (property !== 'command') return typeof value === 'function' ? value.bind(target) : value;
        return (command: Document, options?: Document) =>
          command.update !== undefined
            ? Promise.reject(new MongoNetworkError('connection reset'))
            : target.command(command, options);
      },
    });
  return new Proxy(client, {
    get: (target, property) => {
      if (property === 'db') return db;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
};

describe('an order stored whose idempotency completion failed', () => {
  it('is acknowledged as stored, and says its record was not completed', async () => {
    // Prepare
    const { logger, lines } = createCapturingLogger();
    const { deps } = testConsumerDependencies(
      completionsFail(database.client),
      database.databaseName,
      { logger },
    );
    const handler = createConsumerHandler({ ...deps, retryDelaysMs: [] });
    const event = orderEventFactory();
    const record = sqsRecordFactory(event);

    // Act
    const response = await handler(sqsEventFactory([record]), lambdaContextFactory());

    // Assess: the orders collection holds it, so the message leaves the queue; its claim stays in
    // progress until this invocation's deadline, and whoever takes it over meets the stored order
    const stored = await database.db
      .collection('orders')
      .countDocuments({ _id: event.order_id as never });
    const messages = lines
      .filter((line) => line.messageId === record.messageId)
      .map((line) => line.message);
    expect(response.batchItemFailures).toEqual([]);
    expect(stored).toBe(1);
    expect(messages).toEqual([
      'idempotency record not completed; the order is stored',
      'order stored',
    ]);
  });
});
