import { describe, expect, it } from 'vitest';
import { type Answer, GroupCommit, rejectAll, submit, upTo } from './group-commit.ts';

/** A run whose groups we record and release by hand. */
function harness(take: (queue: string[]) => string[] = (q) => q.splice(0)) {
  const groups: [string, string[]][] = [];
  const releases: (() => void)[] = [];
  const abandoned: [string[], unknown][] = [];
  let failNext = false;
  const boards = new GroupCommit<string>(
    (key, group) => {
      groups.push([key, group]);
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

describe('group commit', () => {
  it('runs an idle key’s item at once, alone, and groups what arrives while it is in flight', async () => {
    const h = harness();
    h.boards.add('b1', 'm1');
    expect(h.groups).toEqual([['b1', ['m1']]]);
    h.boards.add('b1', 'm2');
    h.boards.add('b1', 'm3');
    h.boards.add('b2', 'x1'); // another key (board) is not held up
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

  it('when a run throws, hands its group and the items waiting behind it to `abandon`; the key works on', async () => {
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

  it('answers each caller with its own result, in groups of at most `upTo` items', async () => {
    type Write = { n: number } & Answer<number>;
    const written: number[][] = [];
    let release = () => {};
    const groups = new GroupCommit<Write>(
      async (_key, group) => {
        written.push(group.map((w) => w.n));
        if (written.length === 1) await new Promise<void>((r) => (release = r));
        for (const w of group) if (w.n === 3) w.reject(new Error('not stored'));
        for (const w of group) w.resolve(w.n * 10);
      },
      upTo(2),
      rejectAll,
    );
    const answers = [1, 2, 3, 4, 5].map((n) => submit(groups, 'inbound', { n }));
    release();
    const settled = await Promise.allSettled(answers);
    expect(written).toEqual([[1], [2, 3], [4, 5]]);
    expect(settled).toEqual([
      { status: 'fulfilled', value: 10 },
      { status: 'fulfilled', value: 20 },
      { status: 'rejected', reason: new Error('not stored') },
      { status: 'fulfilled', value: 40 },
      { status: 'fulfilled', value: 50 },
    ]);
  });

  it('with rejectAll, a group that throws fails its callers and those waiting, not later ones', async () => {
    let fail = true;
    let release = () => {};
    const groups = new GroupCommit<{ n: number } & Answer<string>>(
      async (_key, group) => {
        await new Promise<void>((r) => (release = r));
        if (fail) throw new Error('connection lost');
        for (const w of group) w.resolve(`ok ${w.n}`);
      },
      upTo(10),
      rejectAll,
    );
    const first = submit(groups, 'k', { n: 1 });
    const waiting = submit(groups, 'k', { n: 2 });
    release();
    await expect(first).rejects.toThrow('connection lost');
    await expect(waiting).rejects.toThrow('connection lost');
    fail = false;
    const later = submit(groups, 'k', { n: 3 });
    release();
    await expect(later).resolves.toBe('ok 3');
  });
});
