import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** What a running `npm run dev` tells the other commands (`send`, `dlq`) about itself. */
export interface DevEndpoints {
  readonly pid: number;
  readonly sqsEndpoint: string;
  readonly region: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly healthUrl: string;
  /** May carry credentials when MONGO_URI did: the file is written readable by its owner only. */
  readonly mongoUri: string;
  readonly databaseName: string;
  readonly startedAt: string;
}

/**
 * `.dev-data/endpoints.json` at the project root (`.dev-data/` is git-ignored), or
 * `DEV_ENDPOINTS_FILE` (tests run a dev runtime without touching the developer's).
 */
export const devEndpointsPath =
  process.env.DEV_ENDPOINTS_FILE ??
  resolve(import.meta.dirname, '..', '..', '.dev-data', 'endpoints.json');

/** Writes the file for this process. */
export const writeDevEndpoints = (endpoints: DevEndpoints, path = devEndpointsPath): void => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(endpoints, null, 2)}\n`, { mode: 0o600 });
};

/** Removes the file if it still describes process `pid` (a newer dev may have replaced it). */
export const removeDevEndpoints = (pid: number, path = devEndpointsPath): void => {
  if (readDevEndpoints(path)?.pid === pid) rmSync(path, { force: true });
};

/** Reads the file; `undefined` when it is absent or unreadable. */
export const readDevEndpoints = (path = devEndpointsPath): DevEndpoints | undefined => {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<DevEndpoints>;
    return typeof parsed.pid === 'number' && typeof parsed.queueUrl === 'string'
      ? (parsed as DevEndpoints)
      : undefined;
  } catch {
    return undefined;
  }
};

/** Whether process `pid` is alive (signal 0 only checks). */
export const isProcessAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};
