import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { readSecretWithSdk, resolveMongoUri } from '../../../lambda/shared/mongoUri.js';

const SECRET_ID = 'order-service/mongo-uri';
const secretsMock = mockClient(SecretsManagerClient);

describe('resolveMongoUri with the Secrets Manager reader', () => {
  afterEach(() => {
    secretsMock.reset();
  });

  it('reads the URI once with GetSecretValue on the named secret', async () => {
    // Prepare
    secretsMock
      .on(GetSecretValueCommand, { SecretId: SECRET_ID })
      .resolves({ SecretString: ' mongodb+srv://u:p@cluster.example.net/ ' });

    // Act
    const uri = await resolveMongoUri({ kind: 'secret', secretId: SECRET_ID });

    // Assess
    expect(uri).toBe('mongodb+srv://u:p@cluster.example.net/');
    expect(
      secretsMock.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input),
    ).toEqual([{ SecretId: SECRET_ID }]);
  });

  it('never reads Secrets Manager for a plain URI', async () => {
    await resolveMongoUri({ kind: 'value', uri: 'mongodb://a:27017' });

    expect(secretsMock.calls()).toHaveLength(0);
  });

  it('rejects a binary secret as holding no text', async () => {
    // Prepare
    secretsMock.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });

    // Act & Assess
    await expect(resolveMongoUri({ kind: 'secret', secretId: SECRET_ID })).rejects.toThrow(
      'Invalid configuration: the secret named by MONGO_URI_SECRET_ID holds no text',
    );
  });

  it('fails with the error Secrets Manager gave', async () => {
    // Prepare
    const missing = new ResourceNotFoundException({
      message: "Secrets Manager can't find the specified secret.",
      $metadata: {},
    });
    secretsMock.on(GetSecretValueCommand).rejects(missing);

    // Act & Assess
    await expect(resolveMongoUri({ kind: 'secret', secretId: SECRET_ID })).rejects.toBe(missing);
  });

  it('uses the client it is given', async () => {
    // Prepare
    const client = new SecretsManagerClient({ region: 'eu-west-1' });
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: 'mongodb://db:27017' });

    // Act
    const value = await readSecretWithSdk(client)(SECRET_ID);

    // Assess
    expect(value).toBe('mongodb://db:27017');
    expect(secretsMock.commandCalls(GetSecretValueCommand)[0]?.thisValue).toBe(client);
  });
});
