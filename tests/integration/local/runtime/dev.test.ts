import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { DevEndpoints } from '../../../../local/runtime/devEndpointsFile.js';
import { waitFor } from '../../../helpers/localSqs.js';
import { completion, runCommand, startCommand } from '../../../helpers/runCommand.js';

const scratch = mkdtempSync(join(tmpdir(), 'dev-command-'));
const endpointsFile = join(scratch, 'endpoints.json');
const databaseName = `test_dev_command_${process.pid}`;

afterAll(async () => {
  const client = new MongoClient(inject('mongoUri'));
  await client
    .db(databaseName)
    .dropDatabase()
    .catch(() => undefined);
  await client.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('npm run dev', () => {
  it('runs the service, lets send find it with no variables, and stops cleanly on SIGTERM', async () => {
    // Prepare
    const dev = startCommand('dev', [], {
      MONGO_URI: inject('mongoUri'),
      MONGO_DB_NAME: databaseName,
      SQS_PORT: '0',
      HEALTH_PORT: '0',
      DEV_ENDPOINTS_FILE: endpointsFile,
    });
    const ended = completion(dev);
    await waitFor('dev to write its endpoints file', () => existsSync(endpointsFile), 30_000);
    const endpoints = JSON.parse(readFileSync(endpointsFile, 'utf8')) as DevEndpoints;

    // Act
    const sent = await runCommand('send', ['--count', '5'], { DEV_ENDPOINTS_FILE: endpointsFile });
    const client = new MongoClient(inject('mongoUri'));
    try {
      await waitFor(
        'the five orders',
        async () => (await client.db(databaseName).collection('orders').countDocuments()) === 5,
      );
    } finally {
      await client.close();
    }
    const health = await fetch(endpoints.healthUrl);
    dev.kill('SIGTERM');
    const result = await ended;

    // Assess
    expect(sent.code).toBe(0);
    expect(sent.stderr).toContain(
      `Target: npm run dev (pid ${endpoints.pid}) at ${endpoints.sqsEndpoint}`,
    );
    expect(health.status).toBe(200);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`queue          ${endpoints.queueUrl}`);
    expect(result.stderr).toContain(`health         ${endpoints.healthUrl}`);
    expect(result.stderr).toContain('SIGTERM: stopping');
    expect(result.stderr).toContain('Stopped.');
    // Not a terminal: one JSON document per line, as Lambda writes them.
    const lines = result.stdout.trim().split('\n');
    expect(lines.every((line) => line.startsWith('{'))).toBe(true);
    expect(lines.map((line) => JSON.parse(line).message)).toContain('order stored');
    expect(existsSync(endpointsFile)).toBe(false);
  });
});
