import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadSharedConfig } from '../../lambda/shared/config.js';
import { readSecretWithSdk, resolveMongoUri } from '../../lambda/shared/mongoUri.js';
import { defaultDeploymentSettings } from '../../settings/serviceSettings.js';

/** A MongoDB database, as this machine reaches it. */
export interface MongoTarget {
  readonly uri: string;
  readonly databaseName: string;
}

/** Where the deployed consumer is, and what to ask it with (tests pass their own clients). */
export interface DeployedConsumer {
  /** The emulator's endpoint (`AWS_ENDPOINT_URL`). */
  readonly endpoint: string;
  readonly region: string;
  /** `ConsumerFunctionName` of the outputs file. */
  readonly functionName: string;
  /** `MONGO_HOST_PORT`: where the compose file publishes its MongoDB on this machine. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly lambda?: LambdaClient;
  readonly secrets?: SecretsManagerClient;
}

const clientConfig = (consumer: DeployedConsumer) => ({
  endpoint: consumer.endpoint,
  region: consumer.region,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 },
});

/**
 * The MongoDB a local deployment stores its orders in, read from the deployed consumer's own
 * configuration (its `MONGO_URI`, or the secret `MONGO_URI_SECRET_ID` names, read at the emulator),
 * so the commands need nothing but the outputs file and the endpoint. The compose default
 * (`mongodb://mongodb:27017`, the name the Lambda containers use) becomes the port the compose
 * file publishes on this machine.
 */
export const readDeployedMongo = async (consumer: DeployedConsumer): Promise<MongoTarget> => {
  const lambda = consumer.lambda ?? new LambdaClient(clientConfig(consumer));
  const secrets = consumer.secrets ?? new SecretsManagerClient(clientConfig(consumer));
  try {
    const { Environment } = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: consumer.functionName }),
    );
    const config = loadSharedConfig(Environment?.Variables ?? {});
    const uri = await resolveMongoUri(config.mongoUri, readSecretWithSdk(secrets));
    return {
      uri:
        uri === defaultDeploymentSettings.localMongoUri
          ? `mongodb://127.0.0.1:${consumer.env.MONGO_HOST_PORT ?? '27017'}/`
          : uri,
      databaseName: config.databaseName,
    };
  } finally {
    if (consumer.lambda === undefined) lambda.destroy();
    if (consumer.secrets === undefined) secrets.destroy();
  }
};
