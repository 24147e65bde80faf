import { describe, expect, it } from 'vitest';
import { mentionsIn } from '../../../../protocol/rules/mentions.ts';
import { matchingMembers, mentionQueryAt, pickMention } from './mention-picker.ts';

const member = (name: string, n: number) => ({ userId: `00000000-0000-4000-8000-00000000000${n}`, name });
const team = [
  member('Ann Admin', 1),
  member('Bob Builder', 2),
  member('Joanna Smith', 3),
  member('Dan Ann', 4),
];

describe('the @ query being typed', () => {
  it('starts at an @ at the start of the text or after a space', () => {
    expect(mentionQueryAt('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionQueryAt('ask @an', 7)).toEqual({ start: 4, query: 'an' });
    expect(mentionQueryAt('(@bo', 4)).toEqual({ start: 1, query: 'bo' });
  });

  it('is the text up to the caret, not past it', () => {
    expect(mentionQueryAt('ask @annie later', 7)).toEqual({ start: 4, query: 'an' });
  });

  it('is not an email address, a finished token, a new line or a leading space', () => {
    expect(mentionQueryAt('ann@example', 11)).toBeNull();
    expect(mentionQueryAt('@[Ann](user:x) ', 15)).toBeNull();
    expect(mentionQueryAt('@ann\nnext', 9)).toBeNull();
    expect(mentionQueryAt('at @ 5pm', 8)).toBeNull();
    expect(mentionQueryAt('no at sign', 10)).toBeNull();
  });

  it('may hold a space, to type a full name', () => {
    expect(mentionQueryAt('@Ann Ad', 7)).toEqual({ start: 0, query: 'Ann Ad' });
  });
});

describe('members matching the query', () => {
  it('lists everyone for an empty query, by name', () => {
    expect(matchingMembers(team, '').map((m) => m.name)).toEqual([
      'Ann Admin',
      'Bob Builder',
      'Dan Ann',
      'Joanna Smith',
    ]);
  });

  it('puts a name’s prefix first, then a word’s prefix, then a match inside, case-insensitively', () => {
    expect(matchingMembers(team, 'AN').map((m) => m.name)).toEqual(['Ann Admin', 'Dan Ann', 'Joanna Smith']);
  });

  it('lists nobody when nothing matches, and at most the limit', () => {
    expect(matchingMembers(team, 'zed')).toEqual([]);
    expect(matchingMembers(team, '', 2)).toHaveLength(2);
  });
});

describe('picking a member', () => {
  it('replaces the query with the member’s token and a space, caret after it', () => {
    const text = 'ask @bo about it';
    const picked = pickMention(text, { start: 4, query: 'bo' }, team[1]!);
    expect(picked.text).toBe(`ask @[Bob Builder](user:${team[1]!.userId}) about it`);
    expect(picked.text.slice(picked.caret)).toBe('about it');
    expect(mentionsIn(picked.text).map((m) => m.userId)).toEqual([team[1]!.userId]);
  });

  it('adds a space at the end of the text', () => {
    const picked = pickMention('@a', { start: 0, query: 'a' }, team[0]!);
    expect(picked.text).toBe(`@[Ann Admin](user:${team[0]!.userId}) `);
    expect(picked.caret).toBe(picked.text.length);
  });
});
