import { describe, expect, it } from 'vitest';
import { badgeText, bellLabel } from './inbox-text.ts';

describe('the bell', () => {
  it('says how many are unread, in words a screen reader reads out', () => {
    expect(bellLabel(0)).toBe('Inbox, no unread');
    expect(bellLabel(3)).toBe('Inbox, 3 unread');
  });
  it('keeps the badge short', () => {
    expect(badgeText(7)).toBe('7');
    expect(badgeText(100)).toBe('99+');
  });
});
