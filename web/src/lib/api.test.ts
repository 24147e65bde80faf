import { describe, expect, it } from 'vitest';
import { asSentence } from './api.ts';

describe('a server message shown as a sentence of its own', () => {
  it('starts with a capital and ends with a full stop, once', () => {
    expect(asSentence('is not your current password')).toBe('Is not your current password.');
    expect(asSentence('too easy to guess. Add a few more words.')).toBe(
      'Too easy to guess. Add a few more words.',
    );
    expect(asSentence('Wait!')).toBe('Wait!');
  });
});
