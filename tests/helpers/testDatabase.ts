import { randomUUID } from 'node:crypto';
import { type Db, MongoClient } from 'mongodb';
import { inject } from 'vitest';

/** A database of its own for one test file, on the server the global setup provided. */
export interface TestDatabase {
  readonly uri: string;
  readonly client: MongoClient;
  readonly db: Db;
  readonly databaseName: string;
  /** Drops the database and closes the client. */
  close(): Promise<void>;
}

/** Connects to the test server with a fresh, uniquely named database. */
export const openTestDatabase = async (label: string): Promise<TestDatabase> => {
  const uri = inject('mongoUri');
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5_000 });
  await client.connect();
  const databaseName = `test_${label}_${randomUUID().slice(0, 8)}`.replace(/[^a-zA-Z0-9_]/g, '_');
  const db = client.db(databaseName);
  return {
    uri,
    client,
    db,
    databaseName,
    close: async () => {
      await db.dropDatabase().catch(() => undefined);
      await client.close();
    },
  };
};
