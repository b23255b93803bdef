import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../../local/runtime/freePort.js';
import { createTestQueues, type LocalSqs, startLocalSqs } from '../../../helpers/localSqs.js';
import { type CommandResult, runCommand } from '../../../helpers/runCommand.js';

/** The command failed with exactly one line on stderr, that line, and no stack trace. */
const expectOneLineError = (result: CommandResult, code: number, line: string | RegExp) => {
  const lines = result.stderr
    .split('\n')
    .filter((text) => text !== '' && !text.startsWith('Target:'));
  expect(result.code).toBe(code);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(line);
  expect(result.stderr).not.toMatch(/^\s+at /m);
};

let local: LocalSqs;
let unreachable: string;

beforeAll(async () => {
  local = await startLocalSqs();
  unreachable = `http://127.0.0.1:${await freePort()}`;
});

afterAll(async () => {
  await local.close();
});

describe('npm run send: clear errors', () => {
  it.each([
    [['--count', 'x'], /^send: --count must be a whole number from 0 to 1000000$/],
    [['--count=-3'], /^send: --count must be a whole number/],
    [
      ['--count', '-3'],
      /^send: --count needs a value; one starting with "-" is written --count=<value>$/,
    ],
    [['--count', '5', '--rate', '0'], /^send: --rate must be a number greater than 0$/],
    [['--count', '5', '--bogus'], /^send: Unknown option '--bogus'; see npm run send -- --help$/],
    [[], /^send: --count is required/],
    [['--count', '0', '--duplicates', '2'], /^send: --duplicates and --conflicts resend orders/],
  ])('rejects %j with exit status 2', async (args, message) => {
    // Act
    const result = await runCommand('send', args);

    // Assess
    expectOneLineError(result, 2, message);
  });

  it('says the endpoint is unreachable, and how to fix it', async () => {
    // Act
    const result = await runCommand('send', ['--count', '1'], {
      AWS_ENDPOINT_URL: unreachable,
    });

    // Assess
    expectOneLineError(
      result,
      1,
      `send: Cannot reach SQS at ${unreachable} (connection refused). Check AWS_ENDPOINT_URL, or unset it to use \`npm run dev\`.`,
    );
  });

  it('says the queue does not exist on a live endpoint', async () => {
    // Act
    const result = await runCommand('send', ['--count', '1'], { AWS_ENDPOINT_URL: local.endpoint });

    // Assess
    expectOneLineError(
      result,
      1,
      /^send: No queue named order-queue at http:\/\/127\.0\.0\.1:\d+\./,
    );
  });
});

describe('npm run dlq: clear errors', () => {
  it.each([
    [['frobnicate'], /^dlq: unknown command frobnicate; expected list, redrive or purge$/],
    [['list', '--max', 'many'], /^dlq: --max must be a whole number/],
    [
      ['purge'],
      /^dlq: purge deletes every DLQ message: pass --yes, as there is no terminal to ask$/,
    ],
  ])('rejects %j with exit status 2', async (args, message) => {
    // Act
    const result = await runCommand('dlq', args, { AWS_ENDPOINT_URL: unreachable });

    // Assess
    expectOneLineError(result, 2, message);
  });

  it('prints the usage and exits 2 without a command', async () => {
    // Act
    const result = await runCommand('dlq', []);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: npm run dlq -- <command>');
  });

  it('says the endpoint is unreachable', async () => {
    // Act
    const result = await runCommand('dlq', ['list'], { AWS_ENDPOINT_URL: unreachable });

    // Assess
    expectOneLineError(result, 1, new RegExp(`^dlq: Cannot reach SQS at ${unreachable}`));
  });

  it('says when the queue has no DLQ to read', async () => {
    // Prepare
    const queues = await createTestQueues(local.sqs, {
      visibilityTimeoutSeconds: 5,
      maxReceiveCount: 2,
    });

    // Act
    const result = await runCommand('dlq', ['list'], {
      QUEUE_URL: queues.deadLetterQueueUrl,
      AWS_ENDPOINT_URL: local.endpoint,
    });

    // Assess
    expectOneLineError(result, 1, /^dlq: The queue has no redrive policy, so it has no DLQ/);
  });
});

describe('npm run dev: clear errors', () => {
  it('names a bad variable', async () => {
    // Act
    const result = await runCommand('dev', [], { SQS_PORT: 'abc' });

    // Assess
    expectOneLineError(result, 2, /^dev: SQS_PORT must be a whole number from 0 to 65535$/);
  });

  it('names a malformed MONGO_URI without echoing it', async () => {
    // Act
    const result = await runCommand('dev', [], { MONGO_URI: 'mongo://user:secret@db' });

    // Assess
    expectOneLineError(
      result,
      2,
      'dev: Invalid configuration: MONGO_URI is not a valid MongoDB connection string (expected mongodb://host:port or mongodb+srv://host)',
    );
    expect(result.stderr).not.toContain('secret');
  });

  it('says when MONGO_URI does not answer', async () => {
    // Prepare
    const port = await freePort();

    // Act
    const result = await runCommand('dev', [], { MONGO_URI: `mongodb://127.0.0.1:${port}/` });

    // Assess
    expectOneLineError(
      result,
      1,
      `dev: No MongoDB answers at 127.0.0.1:${port} (MONGO_URI). Start it, or unset MONGO_URI to use an embedded server.`,
    );
  });

  it('says when the SQS port is taken', async () => {
    // Act
    const result = await runCommand('dev', [], {
      MONGO_URI: inject('mongoUri'),
      SQS_PORT: String(local.server.port),
      HEALTH_PORT: '0',
    });

    // Assess
    expectOneLineError(
      result,
      1,
      `dev: Port ${local.server.port} is already in use (LocalStack, or another \`npm run dev\`?). Stop it, or choose another port with SQS_PORT.`,
    );
  });
});
