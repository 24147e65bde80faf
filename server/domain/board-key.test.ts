/** Board keys without a database: derived from the name, and the first free one of a family. */
import { describe, expect, it } from 'vitest';
import { firstFreeKey, keyFromName } from './board-key.ts';

const taken = (...keys: string[]) => new Set(keys.map((k) => k.toLowerCase()));

describe('a board key', () => {
  it('comes from the initials of a name of several words, else from its first word', () => {
    expect(keyFromName('Payments Team')).toBe('PT');
    expect(keyFromName('Blendboard')).toBe('BLENDB');
    expect(keyFromName('x')).toBe('XB');
  });

  it('is the base itself when free, in capitals', () => {
    expect(firstFreeKey('pay', taken('OPS'))).toBe('PAY');
  });

  it('gets the first free number when the base is taken in any case', () => {
    expect(firstFreeKey('PAY', taken('pay'))).toBe('PAY2');
    expect(firstFreeKey('PAY', taken('PAY', 'Pay2', 'PAY3'))).toBe('PAY4');
  });

  it('stays within 10 characters by shortening the base', () => {
    expect(firstFreeKey('ABCDEFGHIJ', taken('ABCDEFGHIJ'))).toBe('ABCDEFGHI2');
    const family = ['ABCDEFGHIJ', ...Array.from({ length: 8 }, (_, i) => `ABCDEFGHI${i + 2}`)];
    expect(firstFreeKey('ABCDEFGHIJ', taken(...family))).toBe('ABCDEFGH10');
  });
});
