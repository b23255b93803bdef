import {
  IdempotencyAlreadyInProgressError,
  IdempotencyPersistenceLayerError,
} from '@aws-lambda-powertools/idempotency';
import {
  MongoAWSError,
  MongoMissingDependencyError,
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoOperationTimeoutError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import { describe, expect, it } from 'vitest';
import { classifyFailure, describeSettingFault } from '../../../lambda/consumer/classifyFailure.js';
import { InvalidOrderError, OrderConflictError } from '../../../lambda/shared/errors.js';

/** What the driver throws when the server's certificate is not signed by a trusted CA. */
const untrustedCertificate = () => {
  const message = 'unable to verify the first certificate';
  const tls = Object.assign(new Error(message), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  const error = new MongoNetworkError(message, { cause: tls });
  return new MongoServerSelectionError(message, { error } as never);
};
/** What `MongoClient.connect` throws when the CA file cannot be opened. */
const unreadableCaFile = () =>
  Object.assign(new Error("ENOENT: no such file or directory, open '/var/task/ca.pem'"), {
    code: 'ENOENT',
    syscall: 'open',
    path: '/var/task/ca.pem',
  });
/** What the server answers a mechanism or credentials it refuses. */
const refusedAuthentication = () =>
  new MongoServerError({ message: 'Unsupported authentication mechanism', code: 18 });

describe('classifyFailure', () => {
  it.each([
    [
      'an invalid body',
      new InvalidOrderError([{ path: 'items', message: 'x' }]),
      'invalid-order',
      false,
    ],
    [
      'a conflicting write',
      new OrderConflictError('ORD-1', 'user_id differs'),
      'order-conflict',
      false,
    ],
    [
      'a delivery already in progress',
      new IdempotencyAlreadyInProgressError('x'),
      'order-in-progress',
      true,
    ],
    [
      'an unreachable database',
      new MongoNetworkError('connect ECONNREFUSED'),
      'dependency-unavailable',
      true,
    ],
    [
      'a store failure wrapping a conflict',
      new IdempotencyPersistenceLayerError('x', { cause: new OrderConflictError('ORD-1', 'd') }),
      'order-conflict',
      false,
    ],
    [
      'Cosmos DB throttling (16500)',
      new MongoServerError({ message: 'Error=16500, RetryAfterMs=100', code: 16500 }),
      'dependency-unavailable',
      true,
    ],
    [
      "MongoDB 8's load shedding (SystemOverloadedError)",
      new MongoServerError({
        message: 'operation was interrupted',
        code: 473,
        errorLabels: ['SystemOverloadedError'],
      }),
      'dependency-unavailable',
      true,
    ],
    [
      'a socket reset, whatever wraps it',
      new IdempotencyPersistenceLayerError('Failed to update success record', {
        cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      }),
      'dependency-unavailable',
      true,
    ],
    [
      'a timed-out operation',
      new MongoOperationTimeoutError('Timed out during socket read'),
      'dependency-unavailable',
      true,
    ],
    [
      'a network timeout behind the claim step',
      new IdempotencyPersistenceLayerError('Failed to save in progress record', {
        cause: new MongoNetworkTimeoutError('connection timed out'),
      }),
      'dependency-unavailable',
      true,
    ],
    [
      'the operation deadline (our abort signal)',
      new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
      'dependency-unavailable',
      true,
    ],
    [
      'a node that is no longer primary',
      new MongoServerError({ message: 'not primary', code: 10107 }),
      'dependency-unavailable',
      true,
    ],
    [
      'a pool cleared after a failure',
      Object.assign(new Error('Connection pool was cleared'), { name: 'MongoPoolClearedError' }),
      'dependency-unavailable',
      true,
    ],
    ['an untrusted TLS certificate', untrustedCertificate(), 'dependency-unavailable', true],
    ['an unreadable CA file', unreadableCaFile(), 'dependency-unavailable', true],
    ['a refused authentication', refusedAuthentication(), 'dependency-unavailable', true],
    [
      'a mechanism the server lacks',
      new MongoServerError({ message: 'mechanism MONGODB-AWS is not enabled', code: 334 }),
      'dependency-unavailable',
      true,
    ],
    [
      'no AWS credentials to authenticate with',
      new MongoAWSError('Could not load credentials from any providers'),
      'dependency-unavailable',
      true,
    ],
    [
      'no @aws-sdk/credential-providers to read them with',
      new MongoAWSError('Optional module `@aws-sdk/credential-providers` not found.', {
        cause: new MongoMissingDependencyError('not found', {
          dependencyName: '@aws-sdk/credential-providers',
        } as never),
      }),
      'dependency-unavailable',
      true,
    ],
    [
      'a server error that no retry fixes (no privilege)',
      new MongoServerError({ message: 'not authorized', code: 13 }),
      'internal-error',
      true,
    ],
    [
      'a bug',
      new TypeError("Cannot read properties of undefined (reading 'x')"),
      'internal-error',
      true,
    ],
    [
      'a bug behind the completion step',
      new IdempotencyPersistenceLayerError('Failed to update success record', {
        cause: new RangeError('Invalid time value'),
      }),
      'internal-error',
      true,
    ],
  ])('gives %s its reason', (_, error, reason, retryable) => {
    const failure = classifyFailure(error, 'ORD-1');
    expect(failure.reason).toBe(reason);
    expect(failure.retryable).toBe(retryable);
  });
});

describe('describeSettingFault', () => {
  it.each([
    ['an untrusted TLS certificate', untrustedCertificate(), /TLS.*MONGO_TLS_CA_FILE/],
    ['an unreadable CA file', unreadableCaFile(), /TLS.*MONGO_TLS_CA_FILE/],
    ['a refused authentication', refusedAuthentication(), /authentication.*MONGO_AUTH/],
    ['missing AWS credentials', new MongoAWSError('no credentials'), /MONGO_AUTH/],
  ])('names the setting behind %s, in one line', (_, error, line) => {
    // Act
    const described = describeSettingFault(error);

    // Assess
    expect(described).toMatch(line);
    expect(described).not.toContain('\n');
  });

  it.each([
    ['a refused connection', new MongoNetworkError('connect ECONNREFUSED 127.0.0.1:27017')],
    ['a closed topology', new MongoTopologyClosedError()],
    ['no privilege', new MongoServerError({ message: 'not authorized', code: 13 })],
    ['a bug', new TypeError('x is undefined')],
  ])('blames no setting for %s', (_, error) => {
    expect(describeSettingFault(error)).toBeUndefined();
  });
});

describe('classifyFailure, a busy server', () => {
  it('keeps the pause the server asked for', () => {
    // Prepare: Cosmos DB's 16500 under Powertools' claim step
    const error = new IdempotencyPersistenceLayerError('Failed to save in progress record', {
      cause: new MongoServerError({
        message: "Error=16500, RetryAfterMs=120, Details='Request rate is large'",
        code: 16500,
      }),
    });

    // Act
    const failure = classifyFailure(error, 'ORD-1');

    // Assess
    expect(failure).toMatchObject({ reason: 'dependency-unavailable', retryAfterMs: 120 });
  });
});
