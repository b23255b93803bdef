import {
  IdempotencyAlreadyInProgressError,
  IdempotencyPersistenceLayerError,
} from '@aws-lambda-powertools/idempotency';
import {
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoOperationTimeoutError,
  MongoServerError,
} from 'mongodb';
import { describe, expect, it } from 'vitest';
import { classifyFailure } from '../../../lambda/consumer/classifyFailure.js';
import { InvalidOrderError, OrderConflictError } from '../../../lambda/shared/errors.js';

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
