import { saslprep as reference } from '@mongodb-js/saslprep';
import { describe, expect, it } from 'vitest';
import { saslprep } from '../../../infra/shims/saslprep.js';

const accepted = (input: string): string | undefined => {
  try {
    return reference(input);
  } catch {
    return undefined;
  }
};

describe('saslprep shim', () => {
  it('prepares every code point, between letters, as @mongodb-js/saslprep does where it accepts it', () => {
    // Prepare
    const differences: string[] = [];
    let compared = 0;

    // Act
    for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
      const input = `a${String.fromCodePoint(codePoint)}b`;
      const expected = accepted(input);
      if (expected === undefined) continue;
      compared++;
      if (saslprep(input) !== expected) differences.push(codePoint.toString(16));
    }

    // Assess
    expect(differences).toEqual([]);
    expect(compared).toBeGreaterThan(90_000);
  });

  it.each([
    ['pencil', 'pencil'],
    ['I\u00ADX', 'IX'],
    ['user\u00A0name', 'user name'],
    ['\u2168', 'IX'],
    ['\uFB01x', 'fix'],
    ['pa\u200Bss', 'pa ss'],
  ])('prepares %j as %j', (input, expected) => {
    expect(saslprep(input)).toBe(expected);
    expect(reference(input)).toBe(expected);
  });
});
