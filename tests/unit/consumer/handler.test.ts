import { afterEach, describe, expect, it, vi } from 'vitest';

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

  it('builds a handler without connecting: MongoDB is reached on the first record', async () => {
    vi.stubEnv('MONGO_URI', 'mongodb://user:pw@127.0.0.1:9/');
    vi.stubEnv('MONGO_URI_SECRET_ID', '');

    const { handler } = await importHandler();

    expect(typeof handler).toBe('function');
  });
});
