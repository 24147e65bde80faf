import { describe, expect, it } from 'vitest';
import { mentionedUserIds, mentionsIn, mentionToken, newlyMentioned } from './mentions.ts';

const ADA = '0b6f2a3e-1c4d-4e5f-8a9b-0c1d2e3f4a5b';
const BOB = '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';

describe('mentions', () => {
  it('finds each token with its place, whatever the name holds', () => {
    const text = `ping ${mentionToken({ id: ADA, name: 'Ada (ops) Lovelace' })} and @[Bob](user:${BOB.toUpperCase()})`;
    const found = mentionsIn(text);
    expect(found.map((m) => [m.userId, m.name])).toEqual([
      [ADA, 'Ada (ops) Lovelace'],
      [BOB, 'Bob'],
    ]);
    expect(text.slice(found[0]!.start, found[0]!.end)).toBe(`@[Ada (ops) Lovelace](user:${ADA})`);
  });

  it('ignores plain at-signs, e-mail addresses, ordinary links and malformed ids', () => {
    const text = `mail ada@example.com, @ada, [Ada](https://x.test) @[Ada](user:not-a-uuid) @[](user:${ADA})`;
    expect(mentionedUserIds(text)).toEqual([]);
  });

  it('lists each person once, in the order first mentioned', () => {
    const text = `@[B](user:${BOB}) @[A](user:${ADA}) @[B again](user:${BOB})`;
    expect(mentionedUserIds(text)).toEqual([BOB, ADA]);
  });

  it('makes a token that cannot be broken by brackets or line breaks in a name', () => {
    const token = mentionToken({ id: ADA, name: 'Ada [lead]\nL' });
    expect(mentionsIn(token)).toHaveLength(1);
    expect(mentionsIn(token)[0]!.name).toBe('Ada  lead  L');
  });

  it('reports only the people an edit adds', () => {
    const before = `@[A](user:${ADA})`;
    expect(newlyMentioned(before, `${before} @[B](user:${BOB})`)).toEqual([BOB]);
    expect(newlyMentioned(before, before)).toEqual([]);
  });
});
