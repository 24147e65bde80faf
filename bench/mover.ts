/**
 * The measuring mover of the overload and scale parts: one socket moving cards on a quiet board at a
 * steady rate, timing each answer. By default it runs in a process of its own (BENCH_MOVER=process),
 * so that the load the bench generates beside it (a flood of moves, thousands of joining clients
 * parsing presence frames) does not delay its timers and its reading of answers: the figure is then
 * the server's delay plus the network, not the bench's own event loop. BENCH_MOVER=inline keeps it in
 * the bench's main thread, as the parts did before, to compare.
 */
import type { Socket } from 'socket.io-client';
import { connectSocketIo, forkHelper, joinBoard, paced, sleep } from './lib.ts';

export type MoverKind = 'process' | 'inline';
export const moverKind: MoverKind = process.env.BENCH_MOVER === 'inline' ? 'inline' : 'process';

export interface MoverSetup {
  url: string;
  cookie: string;
  boardId: string;
  cardIds: string[];
  /** moves per second */
  rate: number;
  /** each move's anchor is this many cards after the card moved */
  anchorStep: number;
}

/** Moves at `setup.rate` until `stop()` says so, checked every half second; the accepted moves' delays, ms. */
async function moveWhile(mover: Socket, setup: MoverSetup, stop: () => boolean): Promise<number[]> {
  const delays: number[] = [];
  const answers: Promise<void>[] = [];
  const { boardId, cardIds } = setup;
  let i = 0;
  while (!stop()) {
    await paced(setup.rate, 0.5, () => {
      const card = cardIds[i % cardIds.length]!;
      const anchor = cardIds[(i + setup.anchorStep) % cardIds.length]!;
      i++;
      const t0 = performance.now();
      answers.push(
        (
          mover
            .timeout(30_000)
            .emitWithAck('card:move', { boardId, cardId: card, afterId: anchor }) as Promise<{
            ok: boolean;
          }>
        ).then(
          (ack) => {
            if (ack.ok) delays.push(performance.now() - t0);
          },
          () => {},
        ),
      );
    });
  }
  await Promise.all(answers);
  return delays;
}

export interface Mover {
  /** Moves for `seconds`; the accepted moves' delays. */
  run(seconds: number): Promise<number[]>;
  /** Moves until `during` settles; the accepted moves' delays. */
  runWhile(during: Promise<unknown>): Promise<number[]>;
  close(): Promise<void>;
}

/** A mover on the quiet board, in its own process or inline (BENCH_MOVER). */
export async function startMover(setup: MoverSetup, kind: MoverKind = moverKind): Promise<Mover> {
  if (kind === 'inline') {
    const socket = await connectSocketIo(setup.url, { extraHeaders: { cookie: setup.cookie } });
    await joinBoard(socket, { boardId: setup.boardId });
    const runUntil = (stop: () => boolean) => moveWhile(socket, setup, stop);
    return {
      run(seconds) {
        const end = performance.now() + seconds * 1000;
        return runUntil(() => performance.now() >= end);
      },
      runWhile(during) {
        let done = false;
        void during.finally(() => {
          done = true;
        });
        return runUntil(() => done);
      },
      async close() {
        socket.close();
      },
    };
  }
  const helper = await forkHelper(import.meta.url, 'BENCH_MOVER_CHILD', setup);
  return {
    async run(seconds) {
      return (await helper.ask<{ delays: number[] }>({ run: seconds })).delays;
    },
    async runWhile(during) {
      const answer = helper.ask<{ delays: number[] }>({ start: true });
      await during.catch(() => {});
      helper.tell({ stop: true });
      return (await answer).delays;
    },
    close: helper.close,
  };
}

/** The child's side: connect, join, say ready, then move when told. */
async function child(setup: MoverSetup) {
  const send = (m: unknown) => process.send!(m);
  const socket = await connectSocketIo(setup.url, { extraHeaders: { cookie: setup.cookie } });
  await joinBoard(socket, { boardId: setup.boardId });
  let stopped = false;
  process.on('message', async (m: { run?: number; start?: boolean; stop?: boolean; close?: boolean }) => {
    if (m.close) {
      socket.close();
      process.exit(0);
    }
    if (m.stop) stopped = true;
    if (m.run !== undefined) {
      const end = performance.now() + m.run * 1000;
      send({ delays: await moveWhile(socket, setup, () => performance.now() >= end) });
    }
    if (m.start) {
      stopped = false;
      send({ delays: await moveWhile(socket, setup, () => stopped) });
    }
  });
  send({ ready: true });
  await sleep(0);
}

if (process.env.BENCH_MOVER_CHILD && process.send) {
  child(JSON.parse(process.env.BENCH_MOVER_CHILD) as MoverSetup).catch((err) => {
    process.send!({ error: String(err) });
    process.exit(1);
  });
}
