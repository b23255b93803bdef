import type { TestProject } from 'vitest/node';
import { mongoHostOf } from '../../local/cli/mongoHostOf.js';
import { startEmbeddedMongo, waitForMongo } from '../../local/runtime/embeddedMongo.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
  }
}

/**
 * Gives the integration tests a real MongoDB wire-protocol server: the one at `MONGO_URI` when it
 * is set (and fails loudly when it does not answer), otherwise an embedded one.
 */
export default async function setup(project: TestProject) {
  const configured = process.env.MONGO_URI;
  if (configured) {
    if (!(await waitForMongo(configured, 5_000))) {
      throw new Error(
        `MONGO_URI is set but no MongoDB answers at ${mongoHostOf(configured)}. Start it ` +
          '(`npm run db:ferretdb` runs FerretDB on 127.0.0.1:27017), or unset MONGO_URI to use an embedded server.',
      );
    }
    project.provide('mongoUri', configured);
    return;
  }
  const server = await startEmbeddedMongo();
  console.error(
    `integration tests: embedded MongoDB (${server.kind}) at ${mongoHostOf(server.uri)}`,
  );
  project.provide('mongoUri', server.uri);
  return () => server.stop();
}
