import { describe, expect, it } from 'vitest';
import { interpretBatchResponse } from '../../../../local/runtime/interpretBatchResponse.js';

const ids = new Set(['m1', 'm2', 'm3']);

describe('interpretBatchResponse', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an empty object', {}],
    ['a null list', { batchItemFailures: null }],
    ['an empty list', { batchItemFailures: [] }],
  ])('treats %s as a complete success', (_, response) => {
    // Act
    const verdict = interpretBatchResponse(response, ids);

    // Assess
    expect(verdict).toEqual({ kind: 'success', failedMessageIds: new Set() });
  });

  it('lists the failed records of a partial failure', () => {
    // Act
    const verdict = interpretBatchResponse(
      { batchItemFailures: [{ itemIdentifier: 'm2' }, { itemIdentifier: 'm3' }] },
      ids,
    );

    // Assess
    expect(verdict).toEqual({ kind: 'success', failedMessageIds: new Set(['m2', 'm3']) });
  });

  it.each([
    [
      'an unknown itemIdentifier',
      { batchItemFailures: [{ itemIdentifier: 'other' }] },
      'not a message of the batch',
    ],
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }, 'is empty'],
    [
      'a null itemIdentifier',
      { batchItemFailures: [{ itemIdentifier: null }] },
      'missing or not a string',
    ],
    ['a misspelt key', { batchItemFailures: [{ itemIdentifer: 'm1' }] }, 'missing or not a string'],
    [
      'a numeric itemIdentifier',
      { batchItemFailures: [{ itemIdentifier: 1 }] },
      'missing or not a string',
    ],
    ['a list that is not an array', { batchItemFailures: 'm1' }, 'not an array'],
    ['an entry that is not an object', { batchItemFailures: ['m1'] }, 'not an object'],
    ['a string response', 'ok', 'response is string'],
    ['an array response', [], 'response is an array'],
    ['a number response', 200, 'response is number'],
  ])('treats %s as a failure of the whole batch', (_, response, reason) => {
    // Act
    const verdict = interpretBatchResponse(response, ids);

    // Assess
    expect(verdict.kind).toBe('invalid-response');
    expect(verdict.kind === 'invalid-response' && verdict.reason).toContain(reason);
  });

  it('fails the whole batch when one entry of several is invalid', () => {
    // Act
    const verdict = interpretBatchResponse(
      { batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: '' }] },
      ids,
    );

    // Assess
    expect(verdict.kind).toBe('invalid-response');
  });
});
