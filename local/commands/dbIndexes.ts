import { MongoClient } from 'mongodb';
import { configDefaults } from '../../lambda/shared/config.js';
import { serverKind } from '../../lambda/shared/serverKind.js';
import { UsageError } from '../cli/errors.js';
import { runCli } from '../cli/runCli.js';
import { createIdempotencyIndexes } from './createIndexes.js';

const HELP = `Usage: npm run db:indexes

Creates the MongoDB indexes the consumer needs (the TTL index of the idempotency collection), at
MONGO_URI, database MONGO_DB_NAME (default ${configDefaults.MONGO_DB_NAME}), collection
IDEMPOTENCY_COLLECTION (default ${configDefaults.IDEMPOTENCY_COLLECTION}). Running it again changes
nothing. When an index conflicts, it says which and how to fix it, and exits 1.`;

const main = async (): Promise<number> => {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const uri = process.env.MONGO_URI?.trim();
  if (!uri)
    throw new UsageError(
      'MONGO_URI is required, e.g. MONGO_URI=mongodb://127.0.0.1:27017/ npm run db:indexes',
    );
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5_000 });
  try {
    const db = client.db(process.env.MONGO_DB_NAME?.trim() || configDefaults.MONGO_DB_NAME);
    const collection = db.collection(
      process.env.IDEMPOTENCY_COLLECTION?.trim() || configDefaults.IDEMPOTENCY_COLLECTION,
    );
    const report = await createIdempotencyIndexes(collection, await serverKind(db));
    process.stdout.write(`${report.lines.join('\n')}\n`);
    return report.ok ? 0 : 1;
  } finally {
    await client.close();
  }
};

runCli('db:indexes', main);
