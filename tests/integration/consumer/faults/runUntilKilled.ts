import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { CRASH_POINT_REACHED } from './crashingConsumer.js';

const projectRoot = resolve(import.meta.dirname, '..', '..', '..', '..');
const script = resolve(import.meta.dirname, 'crashingConsumer.ts');

/** Where the consumer process is killed. */
export type CrashPoint = 'before-order-write' | 'after-order-write';

/**
 * Runs the real consumer on one record in a child process and SIGKILLs it the moment it reports
 * reaching `point`. Resolves once the process is dead; rejects if it never got there.
 */
export const runUntilKilled = (options: {
  readonly point: CrashPoint;
  readonly mongoUri: string;
  readonly databaseName: string;
  readonly record: unknown;
  readonly functionTimeoutMs: number;
  readonly timeoutMs?: number;
}): Promise<void> =>
  new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: projectRoot,
      env: {
        ...process.env,
        MONGO_URI: options.mongoUri,
        MONGO_DB_NAME: options.databaseName,
        CRASH_POINT: options.point,
        FUNCTION_TIMEOUT_MS: String(options.functionTimeoutMs),
        SQS_RECORD: JSON.stringify(options.record),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let killed = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString();
      if (!killed && output.includes(CRASH_POINT_REACHED)) {
        killed = true;
        child.kill('SIGKILL');
      }
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', fail);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      if (killed && signal === 'SIGKILL') done();
      else
        fail(new Error(`the consumer process ended without reaching ${options.point}:\n${output}`));
    });
  });
