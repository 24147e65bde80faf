import { describe, expect, it } from 'vitest';
import { MAX_GROUP, takeGroup } from './move-commits.ts';

const move = (id: string, rank: string) => ({ write: { id, rank } });

describe('takeGroup', () => {
  it('takes moves in arrival order and leaves a second move of the same card for the next group', () => {
    const queue = [move('a', 'a0'), move('b', 'b0'), move('a', 'a1'), move('c', 'c0')];
    expect(takeGroup(queue).map((m) => m.write.rank)).toEqual(['a0', 'b0', 'c0']);
    expect(queue.map((m) => m.write.rank)).toEqual(['a1']);
    expect(takeGroup(queue).map((m) => m.write.rank)).toEqual(['a1']);
    expect(queue).toEqual([]);
  });

  it('leaves a move to a rank another move of the group takes for the next group', () => {
    const queue = [move('a', 'm'), move('b', 'm'), move('c', 'n')];
    expect(takeGroup(queue).map((m) => m.write.id)).toEqual(['a', 'c']);
    expect(queue.map((m) => m.write.id)).toEqual(['b']);
  });

  it(`takes at most ${MAX_GROUP} moves, keeping the rest queued in order`, () => {
    const queue = Array.from({ length: MAX_GROUP + 3 }, (_, i) => move(`card${i}`, `r${i}`));
    expect(takeGroup(queue)).toHaveLength(MAX_GROUP);
    expect(queue.map((m) => m.write.id)).toEqual([
      `card${MAX_GROUP}`,
      `card${MAX_GROUP + 1}`,
      `card${MAX_GROUP + 2}`,
    ]);
  });
});
