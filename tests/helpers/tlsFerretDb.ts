import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureFerretDbBuilt,
  FERRETDB_START_MS,
  ferretdbBinary,
  waitForMongo,
} from '../../local/runtime/embeddedMongo.js';
import { freePort } from '../../local/runtime/freePort.js';

/** A FerretDB that speaks TLS only, with a certificate signed by a CA made for this run. */
export interface TlsFerretDb {
  /** `mongodb://127.0.0.1:<port>/`: TLS comes from the client's options (MONGO_TLS_CA_FILE). */
  readonly uri: string;
  /** PEM of the CA that signed the server's certificate. */
  readonly caFile: string;
  /** PEM of a CA that signed nothing the server shows. */
  readonly otherCaFile: string;
  /** A path where no file is. */
  readonly missingFile: string;
  stop(): Promise<void>;
}

const openssl = (dir: string, args: string[]): void => {
  const run = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (run.error !== undefined) {
    throw new Error(
      'openssl is not installed; the TLS tests make their CA and certificate with it (Debian/Ubuntu: apt-get install openssl)',
    );
  }
  if (run.status !== 0) throw new Error(`openssl ${args[0]} failed: ${run.stderr.trim()}`);
};

// A self-signed CA: an EC key (quick to make) and the extensions a verifier asks of a CA.
const makeCa = (dir: string, name: string): void =>
  openssl(dir, [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
    ...['-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '1', '-subj', `/CN=${name}`],
    ...['-addext', 'basicConstraints=critical,CA:TRUE'],
    ...['-addext', 'keyUsage=critical,keyCertSign'],
  ]);

/**
 * Makes a CA, a server certificate for 127.0.0.1 signed by it, and a second CA, in a temporary
 * folder, then starts FerretDB listening with TLS only on a free port (built first if need be).
 * Fails with what to install when Go or openssl is missing.
 */
export const startTlsFerretDb = async (): Promise<TlsFerretDb> => {
  // The integration tests may run on mongodb-memory-server; TLS is FerretDB's, built if need be.
  ensureFerretDbBuilt(console.error);
  const dir = mkdtempSync(join(tmpdir(), 'ferretdb-tls-'));
  makeCa(dir, 'ca');
  makeCa(dir, 'other-ca');
  openssl(dir, [
    ...['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
    ...['-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'],
  ]);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(dir, [
    ...['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key'],
    ...['-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'server.ext'],
  ]);
  const port = await freePort();
  const child: ChildProcess = spawn(
    ferretdbBinary,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dir}/`,
      '--listen-addr=',
      `--listen-tls=127.0.0.1:${port}`,
      `--listen-tls-cert-file=${join(dir, 'server.pem')}`,
      `--listen-tls-key-file=${join(dir, 'server.key')}`,
      `--state-dir=${dir}`,
      '--telemetry=disable',
      '--debug-addr=-',
      '--log-level=error',
    ],
    { stdio: 'ignore' },
  );
  const server: TlsFerretDb = {
    uri: `mongodb://127.0.0.1:${port}/`,
    caFile: join(dir, 'ca.pem'),
    otherCaFile: join(dir, 'other-ca.pem'),
    missingFile: join(dir, 'no-such-ca.pem'),
    stop: async () => {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const trusted = { tls: true, tlsCAFile: server.caFile };
  if (!(await waitForMongo(server.uri, FERRETDB_START_MS, trusted))) {
    await server.stop();
    throw new Error(`FerretDB did not answer over TLS on 127.0.0.1:${port}`);
  }
  return server;
};
