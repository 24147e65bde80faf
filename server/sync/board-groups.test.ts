import { describe, expect, it } from 'vitest';
import { BoardGroups } from './board-groups.ts';

/** A run whose groups we record and release by hand. */
function harness(take: (queue: string[]) => string[] = (q) => q.splice(0)) {
  const groups: [string, string[]][] = [];
  const releases: (() => void)[] = [];
  const abandoned: [string[], unknown][] = [];
  let failNext = false;
  const boards = new BoardGroups<string>(
    (boardId, group) => {
      groups.push([boardId, group]);
      if (failNext) {
        failNext = false;
        return Promise.reject(new Error('run failed'));
      }
      return new Promise<void>((resolve) => releases.push(resolve));
    },
    take,
    (items, err) => abandoned.push([items, err]),
  );
  const releaseNext = async () => {
    releases.shift()!();
    await new Promise((r) => setImmediate(r));
  };
  return { boards, groups, releaseNext, abandoned, failNextRun: () => (failNext = true) };
}

describe('BoardGroups', () => {
  it('runs an idle board’s item at once, alone, and groups what arrives while it is in flight', async () => {
    const h = harness();
    h.boards.add('b1', 'm1');
    expect(h.groups).toEqual([['b1', ['m1']]]);
    h.boards.add('b1', 'm2');
    h.boards.add('b1', 'm3');
    h.boards.add('b2', 'x1'); // another board is not held up
    expect(h.groups).toEqual([
      ['b1', ['m1']],
      ['b2', ['x1']],
    ]);
    await h.releaseNext(); // m1 done: m2 and m3 go together
    expect(h.groups.at(-1)).toEqual(['b1', ['m2', 'm3']]);
    await h.releaseNext(); // x1 done
    await h.releaseNext(); // m2+m3 done: b1 is idle again
    h.boards.add('b1', 'm4');
    expect(h.groups.at(-1)).toEqual(['b1', ['m4']]);
  });

  it('takes the next group with `take`, leaving the rest queued in order', async () => {
    const h = harness((q) => q.splice(0, 2));
    for (const m of ['m1', 'm2', 'm3', 'm4', 'm5']) h.boards.add('b', m);
    await h.releaseNext();
    await h.releaseNext();
    await h.releaseNext();
    expect(h.groups.map(([, g]) => g)).toEqual([['m1'], ['m2', 'm3'], ['m4', 'm5']]);
  });

  it('when a run throws, hands its group and the items waiting behind it to `abandon`; the board works on', async () => {
    const h = harness((q) => q.splice(0, 2));
    h.boards.add('b', 'm1');
    h.boards.add('b', 'm2');
    h.boards.add('b', 'm3');
    h.boards.add('b', 'm4');
    h.failNextRun();
    await h.releaseNext(); // m1 done; the group [m2, m3] runs and throws, m4 still waiting
    expect(h.abandoned).toEqual([[['m2', 'm3', 'm4'], new Error('run failed')]]);
    h.boards.add('b', 'm5');
    expect(h.groups.map(([, g]) => g)).toEqual([['m1'], ['m2', 'm3'], ['m5']]);
  });
});
