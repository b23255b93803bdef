import type { MongoClient } from 'mongodb';
import { ConnectionString } from 'mongodb-connection-string-url';
import { createMongoClient } from '../../../../lambda/shared/mongoClient.js';
import { FaultProxy } from '../../../../local/faults/FaultProxy.js';
import {
  mongoUriTarget,
  routeMongoUriThrough,
} from '../../../../local/faults/routeMongoUriThrough.js';
import type { ServerPersonality } from '../../../../local/faults/serverPersonalities.js';
import { defaultSettings } from '../../../../settings/serviceSettings.js';
import { openTestDatabase, type TestDatabase } from '../../../helpers/testDatabase.js';
import { buildTestConsumer, type TestConsumer, type TestDeadLetters } from './buildTestConsumer.js';

/** A consumer whose every MongoDB connection goes through a {@link FaultProxy}. */
export interface ProxiedConsumer extends TestConsumer {
  readonly proxy: FaultProxy;
  /** The consumer's client (through the proxy). */
  readonly client: MongoClient;
  /** A direct connection to the same database, to check outcomes whatever the proxy does. */
  readonly database: TestDatabase;
  close(): Promise<void>;
}

/** Options of {@link startProxiedConsumer}. */
export interface ProxiedConsumerOptions {
  readonly deadLetters?: TestDeadLetters;
  /** The server the proxy answers as; default FerretDB as it is. */
  readonly personality?: ServerPersonality;
  /** Options the connection string carries, as a user's would (`retryWrites=false`, `w=1`). */
  readonly uriOptions?: Readonly<Record<string, string>>;
  /** Keep the commands the consumer sends (`proxy.commands()`). */
  readonly recordCommands?: boolean;
}

/**
 * Opens a fresh test database, starts a fault proxy in front of its server and builds the real
 * consumer on a client that connects through the proxy, as a Lambda container would.
 */
export const startProxiedConsumer = async (
  label: string,
  options: ProxiedConsumerOptions = {},
): Promise<ProxiedConsumer> => {
  const database = await openTestDatabase(label);
  const target = mongoUriTarget(database.uri);
  const proxy = await FaultProxy.start({
    targetHost: target.host,
    targetPort: target.port,
    ...(options.personality === undefined ? {} : { personality: options.personality }),
    recordCommands: options.recordCommands ?? false,
  });
  const routed = new ConnectionString(routeMongoUriThrough(database.uri, proxy));
  for (const [name, value] of Object.entries(options.uriOptions ?? {})) {
    routed.searchParams.set(name, value);
  }
  const uri = routed.toString();
  const client = createMongoClient(uri, {
    maxPoolSize: defaultSettings.mongoMaxPoolSize,
    appName: `fault-test-${label}`,
  });
  const consumer = buildTestConsumer(client, {
    databaseName: database.databaseName,
    ...(options.deadLetters === undefined ? {} : { deadLetters: options.deadLetters }),
  });
  return {
    ...consumer,
    proxy,
    client,
    database,
    close: async () => {
      await proxy.setMode({ kind: 'pass' });
      await client.close();
      await proxy.stop();
      await database.close();
    },
  };
};
