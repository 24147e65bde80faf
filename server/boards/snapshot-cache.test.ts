import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SnapshotCache } from './snapshot-cache.ts';

const at = (seq: number, tag = 'members-1') => ({ seq, tag });

/** A build that counts its calls and can be held open until the test lets it finish. */
function countedBuild(seq: number) {
  let calls = 0;
  let finish = () => {};
  const gate = new Promise<void>((r) => {
    finish = r;
  });
  const build = async () => {
    calls++;
    await gate;
    return { seq, json: JSON.stringify({ seq, cards: ['a', 'b'] }) };
  };
  return { build, finish, calls: () => calls };
}

describe('the snapshot cache', () => {
  it('builds a board state once for concurrent opens, and serves it compressed to all', async () => {
    const cache = new SnapshotCache();
    const b = countedBuild(7);
    const opens = Array.from({ length: 8 }, () => cache.get('board:developer', at(7), b.build));
    b.finish();
    const got = await Promise.all(opens);
    expect(b.calls()).toBe(1);
    expect(new Set(got.map((g) => g.gzipped)).size).toBe(1);
    expect(JSON.parse(gunzipSync(got[0]!.gzipped).toString())).toEqual({ seq: 7, cards: ['a', 'b'] });
    await cache.get('board:developer', at(7), b.build);
    expect(b.calls()).toBe(1);
  });

  it('builds again once the board has moved on, and never serves an older state than the reader saw', async () => {
    const cache = new SnapshotCache();
    const old = countedBuild(7);
    old.finish();
    await cache.get('board:developer', at(7), old.build);
    const fresh = countedBuild(8);
    fresh.finish();
    expect((await cache.get('board:developer', at(8), fresh.build)).seq).toBe(8);
    expect(fresh.calls()).toBe(1);
  });

  it('builds again when what the tag stands for changed (a member renamed), at the same sequence number', async () => {
    const cache = new SnapshotCache();
    const before = countedBuild(7);
    before.finish();
    await cache.get('board:developer', at(7, 'members-1'), before.build);
    const renamed = countedBuild(7);
    const opens = [
      cache.get('board:developer', at(7, 'members-2'), renamed.build),
      cache.get('board:developer', at(7, 'members-2'), renamed.build),
    ];
    renamed.finish();
    expect((await Promise.all(opens)).map((s) => s.tag)).toEqual(['members-2', 'members-2']);
    expect(renamed.calls()).toBe(1);
    // now held under the new tag: served without building again
    expect((await cache.get('board:developer', at(7, 'members-2'), before.build)).tag).toBe('members-2');
  });

  it('forgets the least recently opened boards beyond its size', async () => {
    const cache = new SnapshotCache(1);
    const a = countedBuild(1);
    a.finish();
    await cache.get('a', at(1), a.build);
    await cache.get('b', at(1), a.build);
    await cache.get('a', at(1), a.build);
    expect(a.calls()).toBe(3);
  });
});
