import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  lambdaContextFactory,
  orderEventFactory,
  sqsEventFactory,
  sqsRecordFactory,
} from '../../helpers/factories.js';

// The entry module builds its dependencies at import (once per container), so each test imports
// a fresh copy under its own environment.
const importHandler = async () => {
  vi.resetModules();
  return import('../../../lambda/consumer/handler.js');
};

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('consumer entry module', () => {
  it('fails the cold start with one line naming a missing variable', async () => {
    vi.stubEnv('MONGO_URI', '');
    vi.stubEnv('MONGO_URI_SECRET_ID', '');

    await expect(importHandler()).rejects.toThrow(
      /^Invalid configuration: MONGO_URI is required \(or MONGO_URI_SECRET_ID, a Secrets Manager secret holding it\)$/,
    );
  });

  it('starts without MongoDB, and answers a batch it cannot store with every record failed', async () => {
    // Prepare: nothing listens on port 9
    vi.stubEnv('MONGO_URI', 'mongodb://user:pw@127.0.0.1:9/');
    vi.stubEnv('MONGO_URI_SECRET_ID', '');
    vi.stubEnv('DLQ_URL', 'http://127.0.0.1:9/000000000000/order-queue-dlq');
    vi.stubEnv('LOG_LEVEL', 'SILENT');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    const record = sqsRecordFactory(orderEventFactory());

    // Act
    const { handler } = await importHandler();
    const response = await handler(sqsEventFactory([record]), lambdaContextFactory(2_000));

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
  });
});
