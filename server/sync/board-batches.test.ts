import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BATCH_GAP_FACTOR, BoardBatches, HOLD_MS } from './board-batches.ts';

interface Ev {
  boardId: string;
  seq: number;
}

/** Batches whose frames are recorded; each frame's `done` is called by the test, with busy time. */
function batches(watched: (boardId: string) => boolean = () => false) {
  const frames: { boardId: string; seqs: number[]; done: (busyMs: number) => void }[] = [];
  const b = new BoardBatches<Ev>({
    send: (boardId, events, done) => frames.push({ boardId, seqs: events.map((e) => e.seq), done }),
    watched,
    now: () => Date.now(),
  });
  return { b, frames };
}

/** Sends seq 1 on board A and lets its frame finish: A's place in the sequence is then known. */
async function afterFirstFrame(b: BoardBatches<Ev>, frames: { done: (busyMs: number) => void }[]) {
  b.push({ boardId: 'A', seq: 1 });
  await vi.advanceTimersByTimeAsync(0);
  frames[0]!.done(0);
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'setImmediate', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('board batches', () => {
  it("sends a quiet board's event on the next turn, and what arrives meanwhile in one ordered frame after it", async () => {
    const { b, frames } = batches();
    b.push({ boardId: 'A', seq: 1 });
    expect(frames).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(frames.map((f) => f.seqs)).toEqual([[1]]);
    b.push({ boardId: 'A', seq: 3 });
    b.push({ boardId: 'A', seq: 2 });
    await vi.advanceTimersByTimeAsync(100);
    expect(frames).toHaveLength(1); // the first frame has not reached every watcher yet
    frames[0]!.done(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(frames.map((f) => f.seqs)).toEqual([[1], [2, 3]]);
  });

  it('waits twice what the last frame took before the next', async () => {
    const { b, frames } = batches();
    b.push({ boardId: 'A', seq: 1 });
    await vi.advanceTimersByTimeAsync(0);
    frames[0]!.done(10);
    b.push({ boardId: 'A', seq: 2 });
    await vi.advanceTimersByTimeAsync(10 * BATCH_GAP_FACTOR - 1);
    expect(frames).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(frames.map((f) => f.seqs)).toEqual([[1], [2]]);
  });

  it('forgets idle boards, so a process that broadcast on 10,000 boards holds a few hundred', async () => {
    const { b, frames } = batches();
    for (let i = 0; i < 10_000; i++) {
      b.push({ boardId: `board-${i}`, seq: 1 });
      await vi.advanceTimersByTimeAsync(0);
      frames.at(-1)!.done(0);
    }
    expect(frames).toHaveLength(10_000);
    expect(b.held).toBeLessThanOrEqual(256);
  });

  it('never forgets a board whose frame is still going out or whose gap has not passed', async () => {
    const { b, frames } = batches();
    b.push({ boardId: 'sending', seq: 1 });
    b.push({ boardId: 'gap', seq: 1 });
    await vi.advanceTimersByTimeAsync(0);
    const [sending, gap] = frames;
    gap!.done(20); // its next frame may leave 40 ms from now
    b.push({ boardId: 'sending', seq: 2 });
    for (let i = 0; i < 1_000; i++) {
      b.push({ boardId: `other-${i}`, seq: 1 });
      await vi.advanceTimersByTimeAsync(0);
      frames.at(-1)!.done(0);
    }
    // Sweeps ran meanwhile (1,000 boards came and went), yet both boards keep their state.
    expect(b.held).toBeLessThan(1_000);
    b.push({ boardId: 'gap', seq: 2 });
    await vi.advanceTimersByTimeAsync(0);
    expect(frames.filter((f) => f.boardId === 'sending' || f.boardId === 'gap')).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(40);
    expect(frames.filter((f) => f.boardId === 'gap').map((f) => f.seqs)).toEqual([[1], [2]]);
    expect(frames.filter((f) => f.boardId === 'sending')).toHaveLength(1);
    sending!.done(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(frames.filter((f) => f.boardId === 'sending').map((f) => f.seqs)).toEqual([[1], [2]]);
  });

  it('an event that arrives ahead of an earlier one waits for it, and both leave in order', async () => {
    const { b, frames } = batches();
    await afterFirstFrame(b, frames);
    b.push({ boardId: 'A', seq: 3 }); // 2 committed first but is published a moment later
    await vi.advanceTimersByTimeAsync(10);
    expect(frames).toHaveLength(1);
    b.push({ boardId: 'A', seq: 2 });
    await vi.advanceTimersByTimeAsync(0);
    expect(frames.map((f) => f.seqs)).toEqual([[1], [2, 3]]);
  });

  it('sends what follows on at once and holds only what lies past the missing event', async () => {
    const { b, frames } = batches();
    await afterFirstFrame(b, frames);
    b.push({ boardId: 'A', seq: 2 });
    b.push({ boardId: 'A', seq: 5 });
    b.push({ boardId: 'A', seq: 3 });
    await vi.advanceTimersByTimeAsync(0);
    expect(frames.map((f) => f.seqs)).toEqual([[1], [2, 3]]);
    frames[1]!.done(0);
    b.push({ boardId: 'A', seq: 4 });
    await vi.advanceTimersByTimeAsync(0);
    expect(frames.map((f) => f.seqs)).toEqual([[1], [2, 3], [4, 5]]);
  });

  it(`sends a held event anyway after ${HOLD_MS} ms, and the late one when it comes`, async () => {
    const { b, frames } = batches();
    await afterFirstFrame(b, frames);
    b.push({ boardId: 'A', seq: 3 });
    await vi.advanceTimersByTimeAsync(HOLD_MS - 1);
    expect(frames).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(frames.map((f) => f.seqs)).toEqual([[1], [3]]);
    frames[1]!.done(0);
    b.push({ boardId: 'A', seq: 2 });
    b.push({ boardId: 'A', seq: 4 });
    await vi.advanceTimersByTimeAsync(0);
    expect(frames.map((f) => f.seqs)).toEqual([[1], [3], [2, 4]]);
  });

  it('sends each sequence once when the same event is pushed twice', async () => {
    const { b, frames } = batches();
    await afterFirstFrame(b, frames);
    b.push({ boardId: 'A', seq: 3 });
    b.push({ boardId: 'A', seq: 3 });
    b.push({ boardId: 'A', seq: 2 });
    await vi.advanceTimersByTimeAsync(0);
    expect(frames.map((f) => f.seqs)).toEqual([[1], [2, 3]]);
  });

  it("starts a board's order where a socket joined it, so the first events after a join keep it", async () => {
    const { b, frames } = batches(() => true);
    b.joined('A', 5);
    b.push({ boardId: 'A', seq: 7 });
    await vi.advanceTimersByTimeAsync(0);
    expect(frames).toHaveLength(0);
    b.push({ boardId: 'A', seq: 6 });
    await vi.advanceTimersByTimeAsync(0);
    expect(frames.map((f) => f.seqs)).toEqual([[6, 7]]);
    expect(b.sentOnWatched()).toEqual([['A', 7]]);
  });

  it("keeps a watched board's place through sweeps, and forgets it once nobody here watches", async () => {
    let watching = true;
    const { b, frames } = batches((id) => id === 'A' && watching);
    await afterFirstFrame(b, frames);
    const others = async (n: number) => {
      for (let i = 0; i < n; i++) {
        b.push({ boardId: `other-${n}-${i}`, seq: 1 });
        await vi.advanceTimersByTimeAsync(0);
        frames.at(-1)!.done(0);
      }
    };
    await others(1_000);
    expect(b.sentOnWatched()).toEqual([['A', 1]]);
    watching = false;
    await others(1_000);
    expect(b.sentOnWatched()).toEqual([]);
    expect(b.held).toBeLessThan(1_000);
  });
});
