import { spawn } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../../../infra/lambdaBundling.js';
import { freePort } from '../../../local/runtime/freePort.js';
import { type CommandResult, commandEnvironment, completion } from '../../helpers/runCommand.js';

/** Runs `scripts/<name>` with bash, in a clean environment plus `env`. */
const runScript = (
  name: 'deploy-local.sh' | 'destroy-local.sh' | 'emulator.sh',
  args: readonly string[],
  env: Record<string, string>,
): Promise<CommandResult> =>
  completion(
    spawn('bash', [`scripts/${name}`, ...args], {
      cwd: projectRoot,
      env: commandEnvironment(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );

const listening = <T extends Server | ReturnType<typeof createTcpServer>>(server: T) =>
  new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });

const servers: { close: () => void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A port that accepts connections and never answers: an emulator that hangs. */
const silentEndpoint = async (): Promise<string> => {
  const sockets: Socket[] = [];
  const server = createTcpServer((socket) => sockets.push(socket));
  servers.push({
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  });
  return `http://127.0.0.1:${await listening(server)}`;
};

/** Answers the health checks as MiniStack does, and nothing else. */
const miniStackHealthOnly = async (): Promise<string> => {
  const server = createHttpServer((request, response) => {
    const health = ['/_localstack/health', '/_ministack/health'].includes(request.url ?? '');
    response.writeHead(health ? 200 : 404, { 'content-type': 'application/json' });
    response.end(health ? '{"services":{}}' : '{}');
  });
  servers.push(server);
  return `http://127.0.0.1:${await listening(server)}`;
};

/** The one line a script printed about its endpoint, and how long it took. */
const expectOneLineNamingTheEndpoint = (result: CommandResult, command: string) => {
  expect(result.code).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^${command}: no LocalStack-compatible emulator answers at`));
  expect(lines[0]).toContain('AWS_ENDPOINT_URL');
  expect(lines[0]).toContain('npm run emulator');
};

describe('deploy-local.sh and destroy-local.sh', () => {
  it('say in one line, within seconds, that no emulator answers when AWS_ENDPOINT_URL is unset', async () => {
    // Prepare: LocalStack's default host, on a port where nothing listens
    const started = Date.now();

    // Act
    const result = await runScript('deploy-local.sh', [], {
      LOCALSTACK_PORT: String(await freePort()),
    });

    // Assess
    expectOneLineNamingTheEndpoint(result, 'deploy:local');
    expect(result.stderr).toContain("AWS_ENDPOINT_URL unset: LocalStack's default");
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it.each([
    ['deploy-local.sh', 'deploy:local'],
    ['destroy-local.sh', 'destroy:local'],
  ] as const)('%s stops at an endpoint that is down, naming it', async (script, command) => {
    // Prepare
    const endpoint = `http://127.0.0.1:${await freePort()}`;

    // Act
    const result = await runScript(script, [], { AWS_ENDPOINT_URL: endpoint });

    // Assess
    expectOneLineNamingTheEndpoint(result, command);
    expect(result.stderr).toContain(endpoint);
  });

  it('stops within seconds at an endpoint that accepts connections and never answers', async () => {
    // Prepare
    const endpoint = await silentEndpoint();
    const started = Date.now();

    // Act
    const result = await runScript('deploy-local.sh', [], { AWS_ENDPOINT_URL: endpoint });

    // Assess
    expectOneLineNamingTheEndpoint(result, 'deploy:local');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('asks for the MongoDB URI on MiniStack before creating anything', async () => {
    // Prepare: an endpoint that fails every AWS call, so only the app's check can stop the script
    const endpoint = await miniStackHealthOnly();

    // Act
    const result = await runScript('deploy-local.sh', [], { AWS_ENDPOINT_URL: endpoint });

    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stdout).toContain(`deploy:local: deploying to ministack at ${endpoint}`);
    expect(result.stderr).toContain(
      'MiniStack runs the Lambdas as local processes, which cannot reach the compose MongoDB',
    );
    expect(result.stderr).toContain('-c mongoUri=');
    expect(result.stdout + result.stderr).not.toContain('bootstrap');
  });
});

describe('emulator.sh', () => {
  it('refuses a port that is taken, in one line naming EMULATOR_PORT, before installing anything', async () => {
    // Prepare
    const taken = await miniStackHealthOnly();
    const port = new URL(taken).port;

    // Act
    const result = await runScript('emulator.sh', [], { EMULATOR_PORT: port });

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim()).toBe(
      `emulator: port ${port} is in use (another emulator?): stop it, or choose another with EMULATOR_PORT.`,
    );
  });
});
