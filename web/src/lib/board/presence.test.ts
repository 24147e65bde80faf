import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PresenceEntry, PresenceFrame } from '../../../../protocol/socket.ts';
import { applyPresence, noPresence, presenceUsers } from './presence.ts';

const entry = (instanceId: string, userId: string, draggingCardId: string | null = null): PresenceEntry => ({
  instanceId,
  userId,
  name: userId.toUpperCase(),
  draggingCardId,
});
const delta = (set: PresenceEntry[], gone: { instanceId: string; userId: string }[] = []): PresenceFrame => ({
  boardId: 'b',
  set,
  gone,
});

describe('the presence list', () => {
  it('starts from the full list, then follows the changes', () => {
    let s = applyPresence(noPresence, { boardId: 'b', full: true, entries: [entry('i1', 'ann')] }, 'b');
    s = applyPresence(s, delta([entry('i2', 'bob', 'card-1')]), 'b');
    expect(presenceUsers(s)).toEqual([
      { userId: 'ann', name: 'ANN', draggingCardId: null },
      { userId: 'bob', name: 'BOB', draggingCardId: 'card-1' },
    ]);
    s = applyPresence(s, delta([], [{ instanceId: 'i1', userId: 'ann' }]), 'b');
    expect(presenceUsers(s).map((u) => u.userId)).toEqual(['bob']);
  });

  it('shows someone on two instances once, dragging if they drag anywhere, until both entries are gone', () => {
    let s = applyPresence(noPresence, delta([entry('i1', 'ann'), entry('i2', 'ann', 'card-9')]), 'b');
    expect(presenceUsers(s)).toEqual([{ userId: 'ann', name: 'ANN', draggingCardId: 'card-9' }]);
    s = applyPresence(s, delta([], [{ instanceId: 'i2', userId: 'ann' }]), 'b');
    expect(presenceUsers(s)).toEqual([{ userId: 'ann', name: 'ANN', draggingCardId: null }]);
  });

  it('ignores another board’s frames', () => {
    const s = applyPresence(noPresence, { boardId: 'other', full: true, entries: [entry('i1', 'x')] }, 'b');
    expect(s).toBe(noPresence);
  });

  it('equals the entries as they are, after any changes, a change applied twice, or a full list in between', () => {
    const key = fc.record({
      instanceId: fc.constantFrom('i1', 'i2'),
      userId: fc.constantFrom('a', 'b', 'c'),
    });
    const change = fc.record({
      key,
      dragging: fc.option(fc.constantFrom('c1', 'c2'), { nil: null }),
      present: fc.boolean(),
      twice: fc.boolean(),
      fullAfter: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(change, { maxLength: 40 }), (changes) => {
        const truth = new Map<string, PresenceEntry>();
        let s = noPresence;
        for (const c of changes) {
          const k = `${c.key.instanceId}/${c.key.userId}`;
          const frame = c.present
            ? delta([entry(c.key.instanceId, c.key.userId, c.dragging)])
            : delta([], [c.key]);
          if (c.present) truth.set(k, entry(c.key.instanceId, c.key.userId, c.dragging));
          else truth.delete(k);
          s = applyPresence(s, frame, 'b');
          if (c.twice) s = applyPresence(s, frame, 'b');
          if (c.fullAfter)
            s = applyPresence(s, { boardId: 'b', full: true, entries: [...truth.values()] }, 'b');
        }
        const expected = presenceUsers(
          applyPresence(noPresence, { boardId: 'b', full: true, entries: [...truth.values()] }, 'b'),
        );
        expect(presenceUsers(s)).toEqual(expected);
        expect(
          [...s.values()].sort((x, y) =>
            `${x.instanceId}${x.userId}`.localeCompare(`${y.instanceId}${y.userId}`),
          ),
        ).toEqual(
          [...truth.values()].sort((x, y) =>
            `${x.instanceId}${x.userId}`.localeCompare(`${y.instanceId}${y.userId}`),
          ),
        );
      }),
    );
  });
});
