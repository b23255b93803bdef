import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../../local/cli/errors.js';
import { devOptionsFromEnvironment } from '../../../../local/runtime/devOptionsFromEnvironment.js';

describe('devOptionsFromEnvironment', () => {
  it('has the documented defaults', () => {
    // Act
    const options = devOptionsFromEnvironment({});

    // Assess
    expect(options).toEqual({
      sqsPort: 4566,
      healthPort: 3000,
      mongoUri: undefined,
      databaseName: 'order_db',
      region: 'us-east-1',
      logLevel: 'INFO',
      logFormat: 'auto',
      pollers: undefined,
      settings: {},
      environment: {},
    });
  });

  it('passes how the functions reach MongoDB on to them', () => {
    // Act
    const options = devOptionsFromEnvironment({
      MONGO_TLS_CA_FILE: ' certs/ca.pem ',
      MONGO_AUTH: 'aws-iam',
      MONGO_MAX_POOL_SIZE: '9',
    });

    // Assess
    expect(options.environment).toEqual({
      MONGO_TLS_CA_FILE: 'certs/ca.pem',
      MONGO_AUTH: 'aws-iam',
    });
  });

  it('reads ports, timeouts and the receive count', () => {
    // Act
    const options = devOptionsFromEnvironment({
      SQS_PORT: '0',
      HEALTH_PORT: '3001',
      CONSUMER_TIMEOUT_SECONDS: '2',
      VISIBILITY_TIMEOUT_SECONDS: '4',
      MAX_RECEIVE_COUNT: '2',
      POLLERS: '3',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'json',
    });

    // Assess
    expect(options).toMatchObject({
      sqsPort: 0,
      healthPort: 3001,
      pollers: 3,
      logLevel: 'DEBUG',
      logFormat: 'json',
      settings: { consumerTimeoutSeconds: 2, visibilityTimeoutSeconds: 4, maxReceiveCount: 2 },
    });
  });

  it.each([
    [{ SQS_PORT: 'abc' }, 'SQS_PORT must be a whole number from 0 to 65535'],
    [{ HEALTH_PORT: '70000' }, 'HEALTH_PORT'],
    [{ LOG_LEVEL: 'LOUD' }, 'LOG_LEVEL must be one of'],
    [{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT'],
    [{ POLLERS: '0' }, 'POLLERS'],
  ])('rejects %o with one line naming the variable', (env, message) => {
    expect(() => devOptionsFromEnvironment(env)).toThrow(UsageError);
    expect(() => devOptionsFromEnvironment(env)).toThrow(message);
  });
});
