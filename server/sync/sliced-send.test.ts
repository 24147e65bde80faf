import { describe, expect, it } from 'vitest';
import { OneInFlight, sendInSlices } from './sliced-send.ts';

/** A hand-cranked `later`: each call queues the next slice until the test runs it. */
function crank() {
  const queued: (() => void)[] = [];
  return {
    later: (next: () => void) => queued.push(next),
    step: () => queued.shift()!(),
    get pending() {
      return queued.length;
    },
  };
}

describe('sendInSlices', () => {
  it('sends to every watcher once, a slice per turn, and says when it is done', () => {
    const sent: string[][] = [];
    const finished: number[] = [];
    const loop = crank();
    const watchers = ['a', 'b', 'c', 'd', 'e'];
    sendInSlices({
      watchers,
      stillWatching: () => true,
      send: (slice) => sent.push(slice),
      later: loop.later,
      done: (busy) => finished.push(busy),
      size: 2,
    });
    // The first slice goes at once; the rest wait for the event loop's next turns.
    expect(sent).toEqual([['a', 'b']]);
    expect(loop.pending).toBe(1);
    loop.step();
    expect(sent).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(finished).toEqual([]);
    loop.step();
    expect(sent).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(loop.pending).toBe(0);
    expect(finished).toHaveLength(1);
    expect(finished[0]).toBeGreaterThanOrEqual(0);
  });

  it('leaves out a socket that stopped watching before its slice was sent', () => {
    const sent: string[][] = [];
    const watching = new Set(['a', 'b', 'c', 'd']);
    const loop = crank();
    sendInSlices({
      watchers: [...watching],
      stillWatching: (id) => watching.has(id),
      send: (slice) => sent.push(slice),
      later: loop.later,
      done: () => {},
      size: 2,
    });
    watching.delete('c'); // its rights were lowered while the first slice was out
    loop.step();
    expect(sent).toEqual([['a', 'b'], ['d']]);
  });

  it('with nobody watching, sends nothing and is done at once', () => {
    let sends = 0;
    let doneCalls = 0;
    sendInSlices({
      watchers: [],
      stillWatching: () => true,
      send: () => sends++,
      later: () => {
        throw new Error('no later turn needed');
      },
      done: () => doneCalls++,
    });
    expect([sends, doneCalls]).toEqual([0, 1]);
  });
});

describe('OneInFlight', () => {
  it('keeps one frame in flight per key, merges what is made meanwhile, and sends it next', () => {
    const started: [string, string][] = [];
    const finish = new Map<string, () => void>();
    const frames = new OneInFlight<string>(
      (earlier, later) => `${earlier}+${later}`,
      (key, frame, done) => {
        started.push([key, frame]);
        finish.set(key, done);
      },
    );
    frames.send('A', 'a1');
    frames.send('A', 'a2');
    frames.send('B', 'b1'); // another board's frame does not wait for A's
    frames.send('A', 'a3');
    expect(started).toEqual([
      ['A', 'a1'],
      ['B', 'b1'],
    ]);
    finish.get('A')!();
    expect(started.at(-1)).toEqual(['A', 'a2+a3']);
    finish.get('A')!();
    finish.get('B')!();
    expect(started).toHaveLength(3);
    // Idle again: the next frame starts at once.
    frames.send('A', 'a4');
    expect(started.at(-1)).toEqual(['A', 'a4']);
  });
});
