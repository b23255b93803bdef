import { assertMongoUri, type MongoUriSource } from './config.js';
import { ConfigurationError } from './errors.js';

/** Reads a secret's string value; Powertools Parameters' `getSecret` by default. */
export type SecretReader = (secretId: string) => Promise<unknown>;

// Loaded only when a secret is configured, so the plain-URI path does not pay for the SDK client.
const readSecretWithPowertools: SecretReader = async (secretId) => {
  const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
  return getSecret(secretId, { maxAge: 300 });
};

/**
 * Resolves the MongoDB connection string, reading Secrets Manager when configured. The secret
 * holds the URI as plain text. Errors name the secret, never its value.
 */
export const resolveMongoUri = async (
  source: MongoUriSource,
  readSecret: SecretReader = readSecretWithPowertools,
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
