import { describe, expect, it } from 'vitest';
import { loadHealthConfig } from '../../../lambda/health/loadHealthConfig.js';
import { ConfigurationError } from '../../../lambda/shared/errors.js';

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/order-queue';
const DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/order-queue-dlq';
const URI = 'mongodb://admin:s3cr3t@db.internal.example:27017';

const failureOf = (env: Record<string, string>): ConfigurationError => {
  try {
    loadHealthConfig(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('expected a ConfigurationError');
};

describe('loadHealthConfig', () => {
  it('reads the queue URLs and the MongoDB settings with their defaults', () => {
    // Act
    const config = loadHealthConfig({ QUEUE_URL, DLQ_URL, MONGO_URI: URI });

    // Assess
    expect(config).toEqual({
      queueUrl: QUEUE_URL,
      deadLetterQueueUrl: DLQ_URL,
      mongoUri: { kind: 'value', uri: URI },
      mongoSecurity: { auth: 'default' },
      databaseName: 'order_db',
      logLevel: 'INFO',
    });
  });

  it('takes the URI from Secrets Manager when MONGO_URI_SECRET_ID is set', () => {
    // Act
    const config = loadHealthConfig({
      QUEUE_URL,
      DLQ_URL,
      MONGO_URI_SECRET_ID: 'order-service/mongo-uri',
      MONGO_DB_NAME: 'orders_prod',
    });

    // Assess
    expect(config.mongoUri).toEqual({ kind: 'secret', secretId: 'order-service/mongo-uri' });
    expect(config.databaseName).toBe('orders_prod');
  });

  it('reaches MongoDB as the consumer does: the same CA file and authentication', () => {
    // Act
    const config = loadHealthConfig({
      QUEUE_URL,
      DLQ_URL,
      MONGO_URI: 'mongodb://db.internal.example:27017',
      MONGO_TLS_CA_FILE: '/var/task/ca.pem',
      MONGO_AUTH: 'aws-iam',
    });

    // Assess
    expect(config.mongoSecurity).toEqual({ tlsCaFile: '/var/task/ca.pem', auth: 'aws-iam' });
  });

  it.each([
    ['QUEUE_URL', { DLQ_URL, MONGO_URI: URI }],
    ['QUEUE_URL', { QUEUE_URL: 'order-queue', DLQ_URL, MONGO_URI: URI }],
    ['DLQ_URL', { QUEUE_URL, DLQ_URL: 'ftp://example/dlq', MONGO_URI: URI }],
    ['MONGO_URI', { QUEUE_URL, DLQ_URL }],
    ['MONGO_URI', { QUEUE_URL, DLQ_URL, MONGO_URI: 'http://admin:s3cr3t@db:27017' }],
    ['MONGO_AUTH', { QUEUE_URL, DLQ_URL, MONGO_URI: URI, MONGO_AUTH: 'aws-iam' }],
  ])('fails with one line naming %s', (variable, env) => {
    // Act
    const error = failureOf(env);

    // Assess
    expect(error.message).toContain(variable);
    expect(error.message).not.toContain('\n');
    expect(error.message).not.toContain('s3cr3t');
  });
});
