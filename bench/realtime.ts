/**
 * Real-time benchmarks: the delay from a move request to its receipt by ALL clients on a board,
 * at paced rates, for the bare socket.io baseline and for Blendboard (auth, validation, the
 * database commit and the event log included).
 */
import { appendFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Socket } from 'socket.io-client';
import { connectSocketIo, joinBoard, paced, round, sleep, summarise } from './lib.ts';
import type { ReceiverKind } from './receivers.ts';

/** Which client the receivers run: see wire-client.ts for why the default is not socket.io-client. */
export const receiverKind: ReceiverKind = (() => {
  const kind = process.env.BENCH_RECEIVER ?? 'wire';
  if (kind !== 'wire' && kind !== 'socket.io-client')
    throw new Error(`BENCH_RECEIVER: expected wire or socket.io-client, got ${kind}`);
  return kind;
})();

export interface RateResult {
  rate: number;
  sent: number;
  delivered: number;
  failed: number;
  achievedPerSecond: number;
  p50: number;
  p99: number;
  /** the mover's acknowledgement (the server's answer), when the step measures it */
  ackP50?: number;
  ackP99?: number;
  /** why moves failed: error code → count ('no answer' for moves unanswered 10 s after the step) */
  failures?: Record<string, number>;
  sustained: boolean;
}

const now = () => performance.timeOrigin + performance.now();

function connectAll(url: string, n: number, opts: Parameters<typeof connectSocketIo>[1]): Promise<Socket[]> {
  return Promise.all(Array.from({ length: n }, () => connectSocketIo(url, opts)));
}

/** The receiving clients, spread over worker threads (2 by default). */
export class ReceiverPool {
  private constructor(
    private readonly workers: Worker[],
    readonly clients: number,
  ) {}

  static async start(
    setup: {
      url: string;
      cookie?: string;
      boardId?: string;
      /** join as a client that already loaded the board at this sequence (no snapshot per client) */
      sinceSeq?: number;
      event: 'msg' | 'board:events';
      idField: 'id' | 'seq';
    },
    clients: number,
    threads = 2,
  ) {
    const workers: Worker[] = [];
    for (let i = 0; i < threads; i++) {
      const count = Math.floor(clients / threads) + (i < clients % threads ? 1 : 0);
      const w = new Worker(new URL('./receivers-boot.mjs', import.meta.url), {
        workerData: { ...setup, count, kind: receiverKind },
      });
      await new Promise<void>((resolve, reject) => {
        w.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(JSON.stringify(m)))));
        w.once('error', reject);
      });
      workers.push(w);
    }
    return new ReceiverPool(workers, clients);
  }

  /** Per id: how many clients got it and when the last did; resets the counts. */
  async collect(): Promise<Map<number, { count: number; last: number }>> {
    const merged = new Map<number, { count: number; last: number }>();
    for (const w of this.workers) {
      const entries = await new Promise<[number, [number, number]][]>((resolve) => {
        w.once('message', resolve);
        w.postMessage('collect');
      });
      for (const [id, [count, last]] of entries) {
        const m = merged.get(id);
        if (m) {
          m.count += count;
          m.last = Math.max(m.last, last);
        } else merged.set(id, { count, last });
      }
    }
    return merged;
  }

  async close() {
    for (const w of this.workers) {
      w.postMessage('close');
      await new Promise((r) => w.once('exit', r));
    }
  }
}

function rateResult(
  rate: number,
  sentAt: Map<number, number>,
  got: Map<number, { count: number; last: number }>,
  receivers: number,
  sent: number,
  failed: number,
  seconds: number,
  ackMs?: Map<number, number>,
): RateResult {
  const latencies: number[] = [];
  let delivered = 0;
  let lastDelivery = 0;
  let firstSend = Number.POSITIVE_INFINITY;
  for (const [id, t0] of sentAt) {
    firstSend = Math.min(firstSend, t0);
    const g = got.get(id);
    if (g && g.count >= receivers) {
      delivered++;
      latencies.push(g.last - t0);
      lastDelivery = Math.max(lastDelivery, g.last);
    }
  }
  const s = summarise(latencies);
  if (process.env.BENCH_TRACE) writeTrace(process.env.BENCH_TRACE, rate, sentAt, got, receivers, ackMs);
  const elapsed = Math.max(seconds, (lastDelivery - firstSend) / 1000);
  const achieved = delivered / elapsed;
  return {
    rate,
    sent,
    delivered,
    failed,
    achievedPerSecond: round(achieved),
    p50: round(s.p50),
    p99: round(s.p99),
    sustained: failed === 0 && delivered >= sent * 0.99 && achieved >= rate * 0.95,
  };
}

/**
 * BENCH_TRACE=<file>: one line per step, `rate` then every message in send order as
 * `ack/all` (ms from send to the server's answer, '-' where not measured; ms to the last receiver,
 * '-' where some receiver never got it). Shows whether a p99 comes from a cold start, a burst or a
 * steady tail.
 */
function writeTrace(
  file: string,
  rate: number,
  sentAt: Map<number, number>,
  got: Map<number, { count: number; last: number }>,
  receivers: number,
  ackMs?: Map<number, number>,
) {
  const inSendOrder = [...sentAt].sort((a, b) => a[1] - b[1]);
  const cells = inSendOrder.map(([id, t0]) => {
    const ack = ackMs?.get(id);
    const g = got.get(id);
    const all = g && g.count >= receivers ? Math.round(g.last - t0) : '-';
    return `${ack === undefined ? '-' : Math.round(ack)}/${all}`;
  });
  appendFileSync(file, `${rate} ${cells.join(' ')}\n`);
}

/** Baseline: bare socket.io relaying 300-byte messages to `clients` receivers. */
export async function bareBroadcast(
  url: string,
  clients: number,
  rates: number[],
  seconds: number,
): Promise<RateResult[]> {
  const pool = await ReceiverPool.start({ url, event: 'msg', idField: 'id' }, clients);
  const [driver] = await connectAll(url, 1, {});
  const results: RateResult[] = [];
  let id = 0;
  const filler = 'x'.repeat(280);
  const step = async (rate: number, stepSeconds: number) => {
    await pool.collect();
    const sentAt = new Map<number, number>();
    const sent = await paced(rate, stepSeconds, () => {
      const msgId = ++id;
      sentAt.set(msgId, now());
      driver!.emit('relay', { id: msgId, filler });
    });
    await sleep(1500);
    return rateResult(rate, sentAt, await pool.collect(), clients, sent, 0, stepSeconds);
  };
  try {
    // Warm-up (JIT on both sides), not reported: the Blendboard part gets one too, so that neither
    // side's p99 is its first cold messages.
    await step(50, 2);
    for (const rate of rates) results.push(await step(rate, seconds));
  } finally {
    driver!.close();
    await pool.close();
  }
  return results;
}

/** Blendboard: movers re-rank cards over the socket; receivers are `clients` browsers on the board. */
export async function boardMoves(
  url: string,
  cookie: string,
  boardId: string,
  cardIds: string[],
  clients: number,
  rates: number[],
  seconds: number,
  stopWhenNotSustained = true,
): Promise<RateResult[]> {
  const movers = await connectAll(url, 4, { extraHeaders: { cookie } });
  let seq = 0;
  for (const s of movers) {
    const ack = await joinBoard(s, { boardId });
    seq = ack.seq;
  }
  // The receivers join as the web client does after loading the board over HTTP: with the
  // sequence it loaded, so the server answers with the (few) events since, not a snapshot each.
  const pool = await ReceiverPool.start(
    { url, cookie, boardId, sinceSeq: seq, event: 'board:events', idField: 'seq' },
    clients,
  );
  await sleep(1000); // let the join-time presence broadcasts settle
  const results: RateResult[] = [];
  let cursor = 0;
  try {
    for (const rate of rates) {
      await pool.collect();
      // Moves are identified by the event sequence number the server assigns (returned in the ack).
      const sentAt = new Map<number, number>();
      let failed = 0;
      let inFlight = 0;
      let m = 0;
      const ackDelays: number[] = [];
      const failures: Record<string, number> = {};
      const ackMs = new Map<number, number>();
      const sent = await paced(rate, seconds, () => {
        const card = cardIds[cursor++ % cardIds.length]!;
        const anchor = cardIds[(cursor * 7919) % cardIds.length]!;
        const mover = movers[m++ % movers.length]!;
        const t0 = now();
        inFlight++;
        mover.emit(
          'card:move',
          { boardId, cardId: card, ...(anchor === card ? {} : { afterId: anchor }) },
          (ack: { ok: boolean; event?: { seq: number }; error?: string }) => {
            inFlight--;
            const delay = now() - t0;
            ackDelays.push(delay);
            if (ack.ok && ack.event) {
              sentAt.set(ack.event.seq, t0);
              ackMs.set(ack.event.seq, delay);
            } else {
              failed++;
              const why = ack.error ?? 'no event';
              failures[why] = (failures[why] ?? 0) + 1;
            }
          },
        );
      });
      for (let waited = 0; inFlight > 0 && waited < 10_000; waited += 50) await sleep(50);
      const unanswered = inFlight;
      if (unanswered > 0) failures['no answer'] = unanswered;
      await sleep(1500);
      const result = rateResult(
        rate,
        sentAt,
        await pool.collect(),
        clients,
        sent,
        failed + unanswered,
        seconds,
        ackMs,
      );
      const acks = summarise(ackDelays);
      result.ackP50 = round(acks.p50);
      result.ackP99 = round(acks.p99);
      if (failed + unanswered > 0) result.failures = failures;
      results.push(result);
      // An overloaded step leaves moves queued on the server: let them finish (answers still
      // arriving) before the next step or the next part of the bench measures anything.
      for (let waited = 0; inFlight > 0 && waited < 180_000; waited += 100) await sleep(100);
      if (stopWhenNotSustained && !result.sustained) break;
      await sleep(500);
    }
  } finally {
    for (const s of movers) s.close();
    await pool.close();
  }
  return results;
}
