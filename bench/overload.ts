/**
 * Overload: board A is offered 3x the highest rate it sustained (measured earlier in the same run)
 * while a quiet board B gets 25 moves/s. Measures what the server answers and how fast (accepted or
 * refused OVERLOADED, both count as answered), the accepted rate against the sustained maximum, and
 * B's move p99 (the mover's answer) loaded against unloaded. The flood is sent from a worker thread
 * (bench/flood.ts) and the quiet mover runs in a process of its own (bench/mover.ts), so its timings
 * are not delayed by the bench's own sending and receiving. The goals (issue 14): ≥ 99% answered
 * within 1 s, accepted ≥ 80% of the sustained maximum, B's p99 within 2x of its unloaded figure.
 *
 * Between the two, B is also timed while A is offered exactly its sustained maximum: full load with
 * no overload. That control tells what overload handling adds from what the load alone costs B
 * on the same cores.
 */
import { Worker } from 'node:worker_threads';
import type { FloodResult, FloodSetup } from './flood.ts';
import { cpuByRole, cpuShares, round, sleep, summarise } from './lib.ts';
import { moverKind, startMover } from './mover.ts';
import { ReceiverPool } from './realtime.ts';

/** Enough answers in a run for a p99 that is not simply the maximum (5 s → 125). */
const QUIET_RATE = 25;
/**
 * Each phase lasts at least this long whatever BENCH_SECONDS says: at 5 s the quiet p99 was the
 * second-slowest of 125 moves, and runs minutes apart gave ratios from 1.9x to 4.7x; 15 s gives 375.
 */
const MIN_PHASE_SECONDS = 15;

export interface OverloadResult {
  'sustained max/s': number;
  'offered/s': number;
  sent: number;
  'answered ≤1s %': number;
  'accepted/s': number;
  'accepted % of max': number;
  'accepted, delivered to all/s': number;
  refused: number;
  'other failures': string;
  unanswered: number;
  'refused since start, by reason': string;
  'ack p50 ms': number;
  'ack p99 ms': number;
  'quiet p99 unloaded ms': number;
  'quiet p99 at sustained max ms': number;
  'quiet p99 loaded ms': number;
  'quiet p99 ratio': number;
  /** B at the sustained maximum against B unloaded: what the load alone costs */
  'quiet p99 ratio at sustained max': number;
  /** B under overload against B at the sustained maximum: what overload adds */
  'quiet p99 overload vs sustained': number;
  'quiet mover': string;
  /** cores used by the server, its PostgreSQL, the bench, and the rest of the machine */
  'CPU unloaded, cores': string;
  'CPU at sustained max, cores': string;
  'CPU loaded, cores': string;
  goals: string;
}

/** The flooding worker thread: joined and waiting for a command. */
async function startFlood(setup: FloodSetup): Promise<{ worker: Worker; seq: number }> {
  const worker = new Worker(new URL('./flood-boot.mjs', import.meta.url), { workerData: setup });
  const first = await nextMessage<{ ready?: boolean; seq?: number; error?: string }>(worker);
  if (!first.ready) throw new Error(`flood worker: ${first.error ?? JSON.stringify(first)}`);
  return { worker, seq: first.seq! };
}

function nextMessage<T>(worker: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

export async function overload(
  url: string,
  cookie: string,
  busy: { boardId: string; cardIds: string[] },
  quiet: { boardId: string; cardIds: string[] },
  clients: number,
  sustainedMax: number,
  seconds: number,
  serverPid: number,
): Promise<OverloadResult> {
  seconds = Math.max(seconds, MIN_PHASE_SECONDS);
  const flood = await startFlood({ url, cookie, boardId: busy.boardId, cardIds: busy.cardIds, movers: 4 });
  const quietMover = await startMover({ url, cookie, ...quiet, rate: QUIET_RATE, anchorStep: 7 });
  const pool = await ReceiverPool.start(
    { url, cookie, boardId: busy.boardId, sinceSeq: flood.seq, event: 'board:events', idField: 'seq' },
    clients,
  );
  try {
    await sleep(1000); // let the join-time presence broadcasts settle
    await quietMover.run(2); // warm-up
    let cpu0 = cpuByRole(serverPid);
    let t0 = performance.now();
    const unloaded = summarise(await quietMover.run(seconds));
    const cpuUnloaded = cpuShares(cpu0, cpuByRole(serverPid), performance.now() - t0);

    // The control: A at its sustained maximum, B timed meanwhile; then A's queue drains.
    const controlDone = nextMessage<{ result: FloodResult }>(flood.worker);
    flood.worker.postMessage({ rate: sustainedMax, seconds });
    cpu0 = cpuByRole(serverPid);
    t0 = performance.now();
    const atMax = summarise(await quietMover.run(seconds));
    const cpuAtMax = cpuShares(cpu0, cpuByRole(serverPid), performance.now() - t0);
    await controlDone;
    await nextMessage<{ drained: boolean }>(flood.worker);
    await sleep(1500);

    await pool.collect();
    const rate = 3 * sustainedMax;
    const answered = nextMessage<{ result: FloodResult }>(flood.worker);
    flood.worker.postMessage({ rate, seconds });
    cpu0 = cpuByRole(serverPid);
    t0 = performance.now();
    const quietLoaded = summarise(await quietMover.run(seconds));
    const cpuLoaded = cpuShares(cpu0, cpuByRole(serverPid), performance.now() - t0);
    const { result: r } = await answered;
    const drained = nextMessage<{ drained: boolean }>(flood.worker);
    await sleep(1500);
    const got = await pool.collect();
    let delivered = 0;
    for (const [seq] of r.accepted) if ((got.get(seq)?.count ?? 0) >= clients) delivered++;
    await drained;

    const shed: Record<string, number> = {};
    const metrics = await (await fetch(`${url}/metrics`, { headers: { cookie } })).text();
    for (const m of metrics.matchAll(/blendboard_moves_shed_total\{reason="(\w+)"\} (\d+)/g))
      shed[m[1]!] = Number(m[2]);
    const elapsed = Math.max(seconds, (r.lastAccepted - r.firstSend) / 1000);
    const answeredPct = (100 * r.answerMs.filter((ms) => ms <= 1000).length) / r.sent;
    const acceptedPerSecond = r.accepted.length / elapsed;
    const acceptedPct = (100 * acceptedPerSecond) / sustainedMax;
    const ratio = quietLoaded.p99 / unloaded.p99;
    const answers = summarise(r.answerMs);
    const goals = [
      answeredPct >= 99 ? 'answered ok' : 'answered MISSED',
      acceptedPct >= 80 ? 'throughput ok' : 'throughput MISSED',
      ratio <= 2 ? 'quiet board ok' : 'quiet board MISSED',
    ].join(', ');
    return {
      'sustained max/s': sustainedMax,
      'offered/s': round(rate),
      sent: r.sent,
      'answered ≤1s %': round(answeredPct),
      'accepted/s': round(acceptedPerSecond),
      'accepted % of max': round(acceptedPct),
      'accepted, delivered to all/s': round(delivered / elapsed),
      refused: r.refused,
      'other failures': JSON.stringify(r.failures),
      unanswered: r.unanswered,
      'refused since start, by reason': JSON.stringify(shed),
      'ack p50 ms': round(answers.p50),
      'ack p99 ms': round(answers.p99),
      'quiet p99 unloaded ms': round(unloaded.p99),
      'quiet p99 at sustained max ms': round(atMax.p99),
      'quiet p99 loaded ms': round(quietLoaded.p99),
      'quiet p99 ratio': round(ratio, 2),
      'quiet p99 ratio at sustained max': round(atMax.p99 / unloaded.p99, 2),
      'quiet p99 overload vs sustained': round(quietLoaded.p99 / atMax.p99, 2),
      'quiet mover': moverKind,
      'CPU unloaded, cores': JSON.stringify(cpuUnloaded),
      'CPU at sustained max, cores': JSON.stringify(cpuAtMax),
      'CPU loaded, cores': JSON.stringify(cpuLoaded),
      goals,
    };
  } finally {
    flood.worker.postMessage('close');
    await quietMover.close();
    await pool.close();
  }
}
