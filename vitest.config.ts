import { defineConfig } from 'vitest/config';

/**
 * Test projects: `unit` needs nothing; `integration` runs against a real MongoDB wire-protocol
 * server (MONGO_URI, else an embedded one) and in-process SQS (fauxqs); `infra` synthesizes the
 * CDK app; `e2e` needs a deployed LocalStack stack and is never part of `npm test`.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/helpers/mongoGlobalSetup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'infra',
          include: ['tests/infra/**/*.test.ts'],
          testTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 300_000,
        },
      },
    ],
  },
});
