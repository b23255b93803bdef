import { describe, expect, it } from 'vitest';
import { loadConfig, loadSharedConfig } from '../../../lambda/shared/config.js';
import { ConfigurationError } from '../../../lambda/shared/errors.js';
import { resolveMongoUri } from '../../../lambda/shared/mongoUri.js';

const failureOf = (env: Record<string, string | undefined>): string => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be rejected');
};

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const dlq = 'https://sqs.us-east-1.amazonaws.com/123456789012/order-queue-dlq';
    expect(loadConfig({ MONGO_URI: 'mongodb://localhost:27017', DLQ_URL: dlq })).toEqual({
      mongoUri: { kind: 'value', uri: 'mongodb://localhost:27017' },
      mongoSecurity: { auth: 'default' },
      databaseName: 'order_db',
      ordersCollection: 'orders',
      idempotencyCollection: 'idempotency',
      idempotencyExpirySeconds: 86_400,
      mongoMaxPoolSize: 2,
      poisonMessages: { policy: 'dead-letter-now', deadLetterQueueUrl: dlq },
      logLevel: 'INFO',
    });
  });

  it('sends poison messages through the redrive when told to, with no DLQ URL needed', () => {
    expect(
      loadConfig({ MONGO_URI: 'mongodb://localhost:27017', POISON_MESSAGES: 'redrive' })
        .poisonMessages,
    ).toEqual({ policy: 'redrive' });
  });

  it('reads a secret reference instead of a URI', () => {
    expect(
      loadSharedConfig({ MONGO_URI_SECRET_ID: 'prod/order-service/mongo-uri' }).mongoUri,
    ).toEqual({
      kind: 'secret',
      secretId: 'prod/order-service/mongo-uri',
    });
  });

  it('reads a CA file to trust and IAM authentication', () => {
    // Act
    const { mongoSecurity } = loadSharedConfig({
      MONGO_URI: 'mongodb+srv://cluster0.example.mongodb.net/?retryWrites=true',
      MONGO_TLS_CA_FILE: ' /var/task/global-bundle.pem ',
      MONGO_AUTH: 'aws-iam',
    });

    // Assess
    expect(mongoSecurity).toEqual({ tlsCaFile: '/var/task/global-bundle.pem', auth: 'aws-iam' });
  });

  it('takes the URI as it is with MONGO_AUTH=default, credentials and all', () => {
    // Act
    const { mongoSecurity } = loadSharedConfig({
      MONGO_URI: 'mongodb://app:s3cr3t@db.internal:27017/?tls=true',
      MONGO_AUTH: 'default',
    });

    // Assess
    expect(mongoSecurity).toEqual({ auth: 'default' });
  });

  it.each([
    [{}, 'MONGO_URI is required'],
    [{ MONGO_URI: '   ' }, 'MONGO_URI is required'],
    [{ MONGO_URI: 'mongodb://a', MONGO_URI_SECRET_ID: 's' }, 'not both'],
    [
      { MONGO_URI: 'postgres://user:hunter2@db/x' },
      'MONGO_URI is not a valid MongoDB connection string',
    ],
    [{ MONGO_URI: 'mongodb://a', MONGO_DB_NAME: 'bad.name' }, 'MONGO_DB_NAME'],
    [{ MONGO_URI: 'mongodb://a', ORDERS_COLLECTION: 'system.orders' }, 'ORDERS_COLLECTION'],
    [{ MONGO_URI: 'mongodb://a', IDEMPOTENCY_COLLECTION: 'a$b' }, 'IDEMPOTENCY_COLLECTION'],
    [{ MONGO_URI: 'mongodb://a', MONGO_MAX_POOL_SIZE: '0' }, 'MONGO_MAX_POOL_SIZE'],
    [{ MONGO_URI: 'mongodb://a', MONGO_MAX_POOL_SIZE: '5x' }, 'MONGO_MAX_POOL_SIZE'],
    [{ MONGO_URI: 'mongodb://a', IDEMPOTENCY_EXPIRY_SECONDS: '10' }, 'IDEMPOTENCY_EXPIRY_SECONDS'],
    [{ MONGO_URI: 'mongodb://a', LOG_LEVEL: 'LOUD' }, 'LOG_LEVEL'],
    [{ MONGO_URI: 'mongodb://a' }, 'DLQ_URL must be the dead-letter queue URL'],
    [{ MONGO_URI: 'mongodb://a', POISON_MESSAGES: 'drop' }, 'POISON_MESSAGES must be one of'],
    [{ MONGO_URI: 'mongodb://a', MONGO_AUTH: 'iam' }, 'MONGO_AUTH must be default or aws-iam'],
    [
      { MONGO_URI: 'mongodb://app:s3cr3t@a', MONGO_AUTH: 'aws-iam' },
      'MONGO_AUTH=aws-iam needs MONGO_URI (not a secret) without credentials',
    ],
    [
      { MONGO_URI: 'mongodb://a/?authSource=admin', MONGO_AUTH: 'aws-iam' },
      'MONGO_AUTH=aws-iam needs MONGO_URI (not a secret) without credentials',
    ],
    [
      { MONGO_URI_SECRET_ID: 'prod/mongo-uri', MONGO_AUTH: 'aws-iam' },
      'MONGO_AUTH=aws-iam needs MONGO_URI (not a secret) without credentials',
    ],
    [
      { MONGO_URI: 'mongodb://a/?tls=false', MONGO_TLS_CA_FILE: '/var/task/ca.pem' },
      'MONGO_URI must not say tls=false with MONGO_TLS_CA_FILE',
    ],
  ])('rejects %j with one line naming the variable', (env, expected) => {
    const message = failureOf(env);
    expect(message).toContain(expected);
    expect(message).not.toContain('\n');
  });

  it.each([
    [{ MONGO_URI: 'mongodb://admin:s3cr3t@host:notaport/db' }],
    [{ MONGO_URI: 'mongodb://admin:s3cr3t@host/db', MONGO_AUTH: 'aws-iam' }],
    [{ MONGO_URI: 'mongodb://admin:s3cr3t@host/?ssl=false', MONGO_TLS_CA_FILE: 'ca.pem' }],
  ])('never prints the credentials of a URI it rejects (%j)', (env) => {
    const message = failureOf({ ...env, DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/1/dlq' });
    expect(message).not.toContain('s3cr3t');
    expect(message).not.toContain('admin');
  });
});

describe('resolveMongoUri', () => {
  it('returns a plain URI as it is', async () => {
    await expect(resolveMongoUri({ kind: 'value', uri: 'mongodb://a:27017' })).resolves.toBe(
      'mongodb://a:27017',
    );
  });

  it('reads the URI from the named secret', async () => {
    const read = async (id: string) =>
      id === 'mongo' ? ' mongodb+srv://u:p@cluster.example.net ' : undefined;
    await expect(resolveMongoUri({ kind: 'secret', secretId: 'mongo' }, read)).resolves.toBe(
      'mongodb+srv://u:p@cluster.example.net',
    );
  });

  it('rejects a secret that is not a connection string without echoing it', async () => {
    const read = async () => 'password123';
    await expect(resolveMongoUri({ kind: 'secret', secretId: 'mongo' }, read)).rejects.toThrow(
      /^Invalid configuration: the secret named by MONGO_URI_SECRET_ID is not a valid MongoDB connection string/,
    );
    await expect(resolveMongoUri({ kind: 'secret', secretId: 'mongo' }, read)).rejects.not.toThrow(
      /password123/,
    );
  });
});
