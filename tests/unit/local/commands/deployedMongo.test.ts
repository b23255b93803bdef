import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { readDeployedMongo } from '../../../../local/commands/deployedMongo.js';
import { defaultDeploymentSettings } from '../../../../settings/serviceSettings.js';

const FUNCTION_NAME = 'OrderProcessing-ConsumerFunction1B019A9B-F2C9760B3E0E9';
const lambdaMock = mockClient(LambdaClient);
const secretsMock = mockClient(SecretsManagerClient);

const consumer = (env: Record<string, string> = {}) => ({
  endpoint: 'http://localhost:4599',
  region: 'us-east-1',
  functionName: FUNCTION_NAME,
  env,
});

/** The consumer's environment as the stack sets it: its MongoDB, and its queues' URLs too. */
const configured = (mongo: Record<string, string>) =>
  lambdaMock.on(GetFunctionConfigurationCommand, { FunctionName: FUNCTION_NAME }).resolves({
    Environment: {
      Variables: {
        ...mongo,
        LOG_LEVEL: 'INFO',
        DLQ_URL: 'http://localhost:4599/000000000000/order-queue-dlq',
      },
    },
  });

describe('readDeployedMongo', () => {
  afterEach(() => {
    lambdaMock.reset();
    secretsMock.reset();
  });

  it("returns the consumer's own MONGO_URI and database", async () => {
    // Prepare
    configured({ MONGO_URI: 'mongodb://127.0.0.1:27018/', MONGO_DB_NAME: 'shop' });

    // Act
    const mongo = await readDeployedMongo(consumer());

    // Assess
    expect(mongo).toEqual({ uri: 'mongodb://127.0.0.1:27018/', databaseName: 'shop' });
  });

  it('reads the secret the consumer names, at the emulator', async () => {
    // Prepare
    configured({ MONGO_URI_SECRET_ID: 'order-service/mongo-uri' });
    secretsMock
      .on(GetSecretValueCommand, { SecretId: 'order-service/mongo-uri' })
      .resolves({ SecretString: 'mongodb://127.0.0.1:27019/' });

    // Act
    const mongo = await readDeployedMongo(consumer());

    // Assess
    expect(mongo).toEqual({ uri: 'mongodb://127.0.0.1:27019/', databaseName: 'order_db' });
  });

  it('turns the compose name into the port the compose file publishes here', async () => {
    // Prepare
    configured({ MONGO_URI: defaultDeploymentSettings.localMongoUri });

    // Act
    const mongo = await readDeployedMongo(consumer({ MONGO_HOST_PORT: '27999' }));

    // Assess
    expect(mongo.uri).toBe('mongodb://127.0.0.1:27999/');
  });

  it('fails with the error of the Lambda API, such as a function that is gone', async () => {
    // Prepare
    const gone = Object.assign(new Error('Function not found'), {
      name: 'ResourceNotFoundException',
    });
    lambdaMock.on(GetFunctionConfigurationCommand).rejects(gone);

    // Act & Assess
    await expect(readDeployedMongo(consumer())).rejects.toThrow('Function not found');
  });
});
