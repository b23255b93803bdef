import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const projectRoot = resolve(import.meta.dirname, '..', '..');

// Where each command's entry point is, as package.json runs it.
const ENTRY_POINTS = {
  dev: 'local/runtime/dev.ts',
  send: 'local/commands/send.ts',
  dlq: 'local/commands/dlq.ts',
} as const;

/** How a command ended. */
export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment a command gets: only PATH and HOME from ours, so no AWS or MongoDB variable of
 * the machine running the tests leaks in, plus `env`.
 */
export const commandEnvironment = (env: Record<string, string>): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  // Never the developer's running dev runtime.
  DEV_ENDPOINTS_FILE: resolve(projectRoot, '.dev-data', 'no-such-dev.json'),
  ...env,
});

/** Starts a command as `npm run <script>` would (tsx), without waiting for it. */
export const startCommand = (
  script: 'dev' | 'send' | 'dlq',
  args: readonly string[],
  env: Record<string, string>,
): ChildProcess =>
  // The flags of the package.json scripts (tsx, and no SQLite ExperimentalWarning from fauxqs).
  spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', '--import', 'tsx', ENTRY_POINTS[script], ...args],
    {
      cwd: projectRoot,
      env: commandEnvironment(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );

/** Collects a child's output until it exits. */
export const completion = (child: ChildProcess): Promise<CommandResult> =>
  new Promise((resolveResult, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolveResult({ code, stdout, stderr }));
  });

/** Runs a command to its end. */
export const runCommand = (
  script: 'dev' | 'send' | 'dlq',
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CommandResult> => completion(startCommand(script, args, env));
