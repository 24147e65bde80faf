/**
 * A worker thread that floods one board with moves for the overload part, so that sending thousands
 * of moves a second does not delay the quiet board's mover, whose timings are the measurement.
 * Answers are timed here and sent back as absolute times (timeOrigin + now) with the accepted seqs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Socket } from 'socket.io-client';
import { connectSocketIo, joinBoard, paced, sleep } from './lib.ts';

export interface FloodSetup {
  url: string;
  cookie: string;
  boardId: string;
  cardIds: string[];
  movers: number;
}
export interface FloodResult {
  sent: number;
  answerMs: number[];
  /** accepted move's seq and its send time (absolute ms) */
  accepted: [seq: number, sentAt: number][];
  refused: number;
  failures: Record<string, number>;
  /** still unanswered when the run's answers were counted */
  unanswered: number;
  firstSend: number;
  lastAccepted: number;
}
interface Ack {
  ok: boolean;
  event?: { seq: number };
  error?: string;
}

const setup = workerData as FloodSetup;
const now = () => performance.timeOrigin + performance.now();

async function main() {
  const movers: Socket[] = [];
  let seq = 0;
  for (let i = 0; i < setup.movers; i++) {
    const s = await connectSocketIo(setup.url, { extraHeaders: { cookie: setup.cookie } });
    seq = (await joinBoard(s, { boardId: setup.boardId })).seq;
    movers.push(s);
  }
  parentPort!.postMessage({ ready: true, seq });
  parentPort!.on('message', async (cmd: { rate: number; seconds: number } | 'close') => {
    if (cmd === 'close') {
      for (const s of movers) s.close();
      process.exit(0);
    }
    const result: FloodResult = {
      sent: 0,
      answerMs: [],
      accepted: [],
      refused: 0,
      failures: {},
      unanswered: 0,
      firstSend: now(),
      lastAccepted: 0,
    };
    let inFlight = 0;
    let cursor = 0;
    const { cardIds } = setup;
    result.sent = await paced(cmd.rate, cmd.seconds, () => {
      const card = cardIds[cursor++ % cardIds.length]!;
      const anchor = cardIds[(cursor * 7919) % cardIds.length]!;
      const t0 = now();
      inFlight++;
      movers[cursor % movers.length]!.emit(
        'card:move',
        { boardId: setup.boardId, cardId: card, ...(anchor === card ? {} : { afterId: anchor }) },
        (ack: Ack) => {
          inFlight--;
          const t = now();
          result.answerMs.push(t - t0);
          if (ack.ok && ack.event) {
            result.lastAccepted = t;
            result.accepted.push([ack.event.seq, t0]);
          } else if (ack.error === 'OVERLOADED') result.refused++;
          else {
            const key = ack.error ?? 'no event';
            result.failures[key] = (result.failures[key] ?? 0) + 1;
          }
        },
      );
    });
    for (let waited = 0; inFlight > 0 && waited < 10_000; waited += 50) await sleep(50);
    result.unanswered = inFlight;
    parentPort!.postMessage({ result });
    // Anything still queued finishes before the bench moves on.
    for (let waited = 0; inFlight > 0 && waited < 180_000; waited += 100) await sleep(100);
    parentPort!.postMessage({ drained: true });
  });
}
main().catch((err) => parentPort!.postMessage({ error: String(err) }));
