/**
 * The clients of the scale part's join bursts, in a process of their own at the lowest CPU priority
 * (`nice` 19; BENCH_CROWD_NICE=0 keeps them at normal priority, to compare). They stand in for
 * 2,000 browsers, each on its own machine, but here they share the server's two cores: at normal
 * priority their own work at a storm's onset took the cores the server needed to answer the moves
 * being measured (docs/performance.md, session 20). The server, its PostgreSQL and the measuring
 * mover keep their normal priority.
 */
import { setPriority } from 'node:os';
import { RECONNECT_BACKOFF } from '../protocol/socket.ts';
import { forkHelper, sleep } from './lib.ts';
import { WireClient } from './wire-client.ts';

/**
 * 'reconnecting': each client's first join after the web app's first reconnect delay; 'together': at
 * once; 'connecting': after the same delay, a new connection and then the join.
 */
export type Arrival = 'reconnecting' | 'together' | 'connecting';

function firstJoinDelayMs(arrival: Arrival): number {
  if (arrival === 'together') return 0;
  const { delayMs, randomization } = RECONNECT_BACKOFF;
  return delayMs * (1 - randomization + 2 * randomization * Math.random());
}

type JoinReply = { ok: boolean; retryAfterMs?: number; seq?: number };

/**
 * Joins, coming back after each OVERLOADED hint as the web app does; resolves when on the board
 * with how often it was refused and how long the admitted join took.
 */
export async function joinPersistently(
  client: WireClient,
  boardId: string,
  sinceSeq?: number,
): Promise<{ refusals: number; admittedMs: number }> {
  let refusals = 0;
  for (;;) {
    const t0 = performance.now();
    const reply = (await client.emitWithAck('board:join', { boardId, sinceSeq })) as JoinReply;
    if (reply.ok) return { refusals, admittedMs: performance.now() - t0 };
    if (reply.retryAfterMs === undefined) throw new Error(`join failed: ${JSON.stringify(reply)}`);
    refusals++;
    await sleep(reply.retryAfterMs);
  }
}

export interface CrowdSetup {
  url: string;
  cookie: string;
  boardId: string;
  clients: number;
  arrival: Arrival;
  nice: number;
}

export interface BurstResult {
  refusals: number;
  /** each admitted join's time, ms */
  admittedMs: number[];
}

/** `setup.clients` sockets of one account (connected at once unless they arrive as after a restart). */
export async function startCrowd(setup: Omit<CrowdSetup, 'nice'>) {
  const nice = Number(process.env.BENCH_CROWD_NICE ?? 19);
  const helper = await forkHelper(import.meta.url, 'BENCH_CROWD_CHILD', { ...setup, nice });
  return {
    nice,
    /** every client joins the board from `sinceSeq`, arriving as `setup.arrival` says */
    burst: (sinceSeq: number) => helper.ask<BurstResult>({ burst: sinceSeq }),
    close: helper.close,
  };
}

/** The child's side: lower its priority, connect, say ready, then join when told. */
async function child(setup: CrowdSetup) {
  setPriority(setup.nice);
  const clients: WireClient[] = [];
  const open = async () => {
    const client = new WireClient(setup.url, { cookie: setup.cookie });
    clients.push(client);
    await client.connected;
    return client;
  };
  // After a restart each client opens its connection as it arrives; otherwise all are open already.
  const openFirst = setup.arrival === 'connecting' ? 0 : setup.clients;
  for (let start = 0; start < openFirst; start += 100)
    await Promise.all(Array.from({ length: Math.min(100, openFirst - start) }, open));
  process.on('message', async (m: { burst?: number; close?: boolean }) => {
    if (m.close) {
      for (const c of clients) c.close();
      process.exit(0);
    }
    if (m.burst === undefined) return;
    const sinceSeq = m.burst;
    const joins = await Promise.all(
      Array.from({ length: setup.clients }, async (_, i) => {
        const delayMs = firstJoinDelayMs(setup.arrival);
        if (delayMs > 0) await sleep(delayMs);
        const client = setup.arrival === 'connecting' ? await open() : clients[i]!;
        return joinPersistently(client, setup.boardId, sinceSeq);
      }),
    );
    process.send!({
      refusals: joins.reduce((sum, j) => sum + j.refusals, 0),
      admittedMs: joins.map((j) => j.admittedMs),
    } satisfies BurstResult);
  });
  process.send!({ ready: true });
}

if (process.env.BENCH_CROWD_CHILD && process.send) {
  child(JSON.parse(process.env.BENCH_CROWD_CHILD) as CrowdSetup).catch((err) => {
    process.send!({ error: String(err) });
    process.exit(1);
  });
}
