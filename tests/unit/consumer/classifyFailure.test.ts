import {
  IdempotencyAlreadyInProgressError,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
} from '@aws-lambda-powertools/idempotency';
import { MongoNetworkError } from 'mongodb';
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
      'a payload that differs from the idempotency record',
      new IdempotencyValidationError('x'),
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
    ['anything else', new TypeError('bug'), 'dependency-unavailable', true],
  ])('gives %s its reason', (_, error, reason, retryable) => {
    const failure = classifyFailure(error, 'ORD-1');
    expect(failure.reason).toBe(reason);
    expect(failure.retryable).toBe(retryable);
  });
});
