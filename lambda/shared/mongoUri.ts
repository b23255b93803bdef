import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { assertMongoUri, type MongoUriSource } from './config.js';
import { ConfigurationError } from './errors.js';

/** Reads a secret's string value; Secrets Manager's `GetSecretValue` by default. */
export type SecretReader = (secretId: string) => Promise<unknown>;

/**
 * A {@link SecretReader} calling `GetSecretValue` with `client`, by default a Secrets Manager client
 * with the standard configuration (the function's region and role). A binary secret reads as
 * `undefined`: it holds no text.
 *
 * The client package is loaded only when a secret is read, so the plain-URI path never loads it. The
 * Lambda bundles do not contain it: the runtime's AWS SDK provides it (`runtimeProvidedModules` in
 * `infra/lambdaBundling.ts`).
 */
export const readSecretWithSdk =
  (client?: SecretsManagerClient): SecretReader =>
  async (secretId) => {
    const sdk = await import('@aws-sdk/client-secrets-manager');
    const secrets = client ?? new sdk.SecretsManagerClient({});
    const { SecretString } = await secrets.send(
      new sdk.GetSecretValueCommand({ SecretId: secretId }),
    );
    return SecretString;
  };

/**
 * Resolves the MongoDB connection string, reading Secrets Manager when configured. The secret
 * holds the URI as plain text. Errors name the secret, never its value.
 */
export const resolveMongoUri = async (
  source: MongoUriSource,
  readSecret: SecretReader = readSecretWithSdk(),
): Promise<string> => {
  if (source.kind === 'value') return source.uri;
  const value = await readSecret(source.secretId);
  if (typeof value !== 'string') {
    throw new ConfigurationError(
      'Invalid configuration: the secret named by MONGO_URI_SECRET_ID holds no text',
    );
  }
  return assertMongoUri('the secret named by MONGO_URI_SECRET_ID', value.trim());
};
