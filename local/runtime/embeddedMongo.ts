import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MongoClient, type MongoClientOptions } from 'mongodb';
import { freePort } from './freePort.js';

/** A MongoDB server started for this process, and how to stop it. */
export interface EmbeddedMongo {
  readonly uri: string;
  /** Which server answers: mongodb-memory-server's `mongod`, or FerretDB on SQLite. */
  readonly kind: 'mongodb-memory-server' | 'ferretdb';
  stop(): Promise<void>;
}

const projectRoot = resolve(import.meta.dirname, '..', '..');
/** Where `npm run setup:ferretdb` (scripts/install-ferretdb.sh) builds FerretDB. */
export const ferretdbBinary = join(projectRoot, '.tools', 'bin', 'ferretdb');
/** How long FerretDB may take to answer after it is started (it creates its SQLite state). */
export const FERRETDB_START_MS = 15_000;

/**
 * Asks `uri` (with `options`, e.g. TLS) until a writable primary answers or `timeoutMs` passes: a
 * replica set answers before it has elected one.
 */
export const waitForMongo = async (
  uri: string,
  timeoutMs: number,
  options: MongoClientOptions = {},
): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const client = new MongoClient(uri, {
      ...options,
      serverSelectionTimeoutMS: 500,
      connectTimeoutMS: 500,
    });
    try {
      const hello = await client.db('admin').command({ hello: 1 });
      if (hello.isWritablePrimary === true) return true;
    } catch {
      // not up yet
    } finally {
      await client.close();
    }
  }
  return false;
};

// mongodb-memory-server prints its whole download error, stack included, before rethrowing it;
// the caller reports the failure in one line, so that warning is dropped.
const withoutStartWarning = async <T>(start: () => Promise<T>): Promise<T> => {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (String(args[0]).startsWith('Starting the MongoMemoryServer Instance failed')) return;
    warn(...args);
  };
  try {
    return await start();
  } finally {
    console.warn = warn;
  }
};

const startMemoryServer = async (): Promise<EmbeddedMongo> => {
  const { MongoMemoryServer } = await import('mongodb-memory-server');
  const server = await withoutStartWarning(() => MongoMemoryServer.create());
  return {
    uri: server.getUri(),
    kind: 'mongodb-memory-server',
    stop: async () => {
      await server.stop();
    },
  };
};

/** Builds FerretDB into {@link ferretdbBinary} unless it is there (Go needed, about a minute). */
export const ensureFerretDbBuilt = (log: (line: string) => void): void => {
  if (existsSync(ferretdbBinary)) return;
  log('FerretDB is not built yet; building it with Go (scripts/install-ferretdb.sh)…');
  const build = spawnSync('bash', [join(projectRoot, 'scripts', 'install-ferretdb.sh')], {
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('scripts/install-ferretdb.sh failed (it needs Go)');
};

const startFerretDb = async (log: (line: string) => void): Promise<EmbeddedMongo> => {
  ensureFerretDbBuilt(log);
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'ferretdb-'));
  const child: ChildProcess = spawn(
    ferretdbBinary,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dataDir}/`,
      `--listen-addr=127.0.0.1:${port}`,
      `--state-dir=${dataDir}`,
      '--telemetry=disable',
      '--debug-addr=-',
      '--log-level=error',
    ],
    { stdio: 'ignore' },
  );
  const uri = `mongodb://127.0.0.1:${port}/`;
  const stop = async () => {
    child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  };
  if (!(await waitForMongo(uri, FERRETDB_START_MS))) {
    await stop();
    throw new Error(
      `FerretDB did not answer on 127.0.0.1:${port} within ${FERRETDB_START_MS / 1000} s`,
    );
  }
  return { uri, kind: 'ferretdb', stop };
};

/**
 * Starts a throwaway MongoDB for tests and `npm run dev` when `MONGO_URI` is not set:
 * mongodb-memory-server first (it downloads a `mongod` on first use), and where that cannot run
 * (no internet, unsupported OS), FerretDB on SQLite built from the Go module proxy. Throws one
 * error naming both attempts and the ways out.
 */
export const startEmbeddedMongo = async (
  log: (line: string) => void = (line) => console.error(line),
): Promise<EmbeddedMongo> => {
  let memoryServerError: unknown;
  if (process.env.EMBEDDED_MONGO !== 'ferretdb') {
    try {
      return await startMemoryServer();
    } catch (error) {
      memoryServerError = error;
      log(`mongodb-memory-server could not start a mongod (${firstLine(error)}); trying FerretDB.`);
    }
  }
  try {
    return await startFerretDb(log);
  } catch (ferretError) {
    throw new Error(
      [
        'No MongoDB server for this run.',
        memoryServerError === undefined
          ? ''
          : `  mongodb-memory-server: ${firstLine(memoryServerError)}`,
        `  FerretDB: ${firstLine(ferretError)}`,
        'Set MONGO_URI to a running MongoDB (e.g. `docker compose up -d mongodb` and MONGO_URI=mongodb://localhost:27017),',
        'or give mongodb-memory-server internet access once, or install Go so FerretDB can be built.',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  }
};

const firstLine = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
