import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundlingAliases, projectRoot } from '../../../infra/lambdaBundling.js';

type ConnectionStringModule = typeof import('mongodb-connection-string-url');

const require = createRequire(import.meta.url);

// What the driver reads from a parsed connection string, or the error it would report.
const parsed = ({ ConnectionString }: ConnectionStringModule, uri: string) => {
  try {
    const url = new ConnectionString(uri);
    return {
      hosts: url.hosts,
      isSRV: url.isSRV,
      username: url.username,
      password: url.password,
      pathname: url.pathname,
      search: url.search,
      hash: url.hash,
      params: [...url.searchParams.entries()],
      // Keys are case-insensitive: the parser swaps the prototype of `searchParams`.
      replicaSet: url.searchParams.get('REPLICASET'),
      text: url.toString(),
      redacted: url.redact().toString(),
    };
  } catch (error) {
    return { error: (error as Error).name, message: (error as Error).message };
  }
};

const connectionStrings = [
  'mongodb://127.0.0.1:27017/',
  'mongodb://localhost',
  'mongodb://user:p%40ss%3Aw%2Frd%25@db1.example.com:27017,db2.example.com:27018,db3/order_db?replicaSet=rs0&authSource=admin&retryWrites=true&w=majority',
  'mongodb+srv://user:secret@cluster0.example.mongodb.net/?retryWrites=true&appName=Cluster0',
  'mongodb://[::1]:27017,[2001:db8::1]/order_db?readPreference=secondaryPreferred',
  'mongodb://%2Ftmp%2Fmongodb-27017.sock/order_db',
  'mongodb://CN%3Dclient@db.example.com/?authMechanism=MONGODB-X509&tls=true',
  'mongodb://db/?readPreferenceTags=dc:ny,rack:1&readPreferenceTags=&appName=a%20b+c',
  'mongodb://üser:pässwörd@db.example.com/dbé?appName=ørder',
  'mongodb://DB.Example.COM/Order_DB?ReplicaSet=rs0#fragment',
  'mongodb://user:pa@ss@db.example.com/',
  'mongodb://user:pass:word@db.example.com/',
  'mongodb+srv://a.example.com,b.example.com/',
  'mongodb+srv://cluster0.example.com:27017/',
  'mongodb://',
  'mongodb://@db.example.com/',
  'mongodb://user:%E0%A4%A@db.example.com/',
  'mongodb://db.example.com/order db?x=<y>',
  'postgres://db.example.com/',
];

describe('whatwg-url alias (Node URL in the Lambda bundles)', () => {
  let original: ConnectionStringModule;
  let aliased: ConnectionStringModule;
  let aliasedInputs: string[];
  let workDir: string;

  beforeAll(async () => {
    // Prepare: the connection-string parser bundled with the Lambdas' aliases, next to the package as installed.
    original = require('mongodb-connection-string-url');
    workDir = mkdtempSync(join(tmpdir(), 'whatwg-url-shim-'));
    const result = await build({
      stdin: {
        contents: "module.exports = require('mongodb-connection-string-url');",
        resolveDir: projectRoot,
      },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      alias: { ...bundlingAliases },
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const outfile = join(workDir, 'connection-string.cjs');
    writeFileSync(outfile, result.outputFiles[0]?.text ?? '');
    aliased = require(outfile);
    aliasedInputs = Object.keys(result.metafile.inputs);
  });

  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it("builds connection strings on Node's URL, not on the polyfill's", () => {
    const urlClassOf = ({ ConnectionString }: ConnectionStringModule) =>
      Object.getPrototypeOf(Object.getPrototypeOf(ConnectionString));
    expect(urlClassOf(aliased)).toBe(URL);
    expect(urlClassOf(original)).not.toBe(URL);
  });

  it('leaves the polyfill and its IDNA tables out of the bundle', () => {
    expect(aliasedInputs.some((input) => input.includes('mongodb-connection-string-url'))).toBe(
      true,
    );
    expect(
      aliasedInputs.filter((input) => /node_modules\/(whatwg-url|tr46)\//.test(input)),
    ).toEqual([]);
  });

  it.each(connectionStrings)('parses %s as the polyfill does', (uri) => {
    // Act
    const expected = parsed(original, uri);
    const actual = parsed(aliased, uri);

    // Assess
    expect(actual).toEqual(expected);
  });
});
