/**
 * Scale (issue 21): what grows with the audience or the board, as ratios measured in the same run.
 * Each measurement runs on a server process of its own (server/main.ts on the bench's PostgreSQL),
 * so CPU time and resident memory are that measurement's alone, and every cache starts cold.
 *
 * - Join burst: BENCH_SCALE_CLIENTS (default 2000) sockets of one account join one board, against
 *   half as many: server CPU for the burst (until every socket is on the board, the refused ones
 *   retrying after the server's hint), and meanwhile the p99 of moves on another board against the
 *   same moves before the burst. Goals: CPU ratio ≤ 2.5, move p99 ratio ≤ 2. The clients arrive as
 *   the web app's do after losing the server: each one's join after its first reconnect delay
 *   (RECONNECT_BACKOFF, 0.5–1.5 s), from the sequence number it has (the web app joins with
 *   `sinceSeq` and gets the events it missed, not a snapshot). The same 2,000 joins sent in one
 *   millisecond are measured too, as the worst case no real client population produces; and the
 *   same 2,000 arriving as after a restart of the server, each with a new connection (a handshake,
 *   signed in from its session cookie, then the join): what a deploy costs.
 *   The clients run in a process of their own at the lowest CPU priority (bench/crowd.ts): they
 *   stand in for browsers on other machines.
 * - Presence bytes: BENCH_SCALE_USERS (default 300) distinct people on one board against a third as
 *   many: bytes (and frames) a watcher receives for one more join and for one drag start. Goal: the
 *   same for both audiences (ratio ~1).
 * - Big board: BENCH_SCALE_OPENS (default 8) concurrent GET /api/boards/:id of a BENCH_SCALE_CARDS
 *   (default 50000) card board against one open: the peak of the server's resident memory above
 *   where it stood before. Goal: ratio ≤ 2.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { sha256 } from '../server/auth/repo.ts';
import { seedCards } from './board-load.ts';
import { type Arrival, joinPersistently, startCrowd } from './crowd.ts';
import { cpuByRole, cpuShares, freePort, round, sleep, startChild, summarise } from './lib.ts';
import { moverKind, startMover } from './mover.ts';
import { WireClient } from './wire-client.ts';

const CLIENTS = Number(process.env.BENCH_SCALE_CLIENTS ?? 2000);
const USERS = Number(process.env.BENCH_SCALE_USERS ?? 300);
const OPENS = Number(process.env.BENCH_SCALE_OPENS ?? 8);
const CARDS = Number(process.env.BENCH_SCALE_CARDS ?? 50_000);
const MOVES_PER_SECOND = 10;
/**
 * How long the moves are timed before the burst: about as many answers as during a 2,000-client
 * burst, so that both p99s are read from a similar count (3 s gave 30, and its p99 was the maximum).
 */
const QUIET_SECONDS = 15;

interface Env {
  databaseUrl: string;
  dataDir: string;
}

/** A server process of its own on the bench's database; its pid gives CPU time and memory. */
async function serverProcess(env: Env) {
  const port = await freePort();
  const server = startChild(
    [
      // BENCH_PROFILE=<dir>: a V8 CPU profile of each measurement's server, as for the main server
      ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
      'server/main.ts',
    ],
    { PORT: String(port), DATABASE_URL: env.databaseUrl, DATA_DIR: env.dataDir, LOG_LEVEL: 'warn' },
    /never printed at warn/,
  );
  server.started.catch(() => {});
  const baseUrl = `http://127.0.0.1:${port}`;
  // Up to three minutes: on a machine shared with other work, start-up alone has taken over one.
  for (let i = 0; i < 1800; i++) {
    try {
      if ((await fetch(`${baseUrl}/readyz`)).status === 200) break;
    } catch {
      /* not up yet */
    }
    await sleep(100);
  }
  const pid = server.child.pid!;
  return {
    baseUrl,
    pid,
    /** user + system CPU time so far, ms */
    cpuMs() {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
    },
    rssMiB() {
      const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
      return Number(m?.[1] ?? 0) / 1024;
    },
    stop: server.stop,
  };
}

/** People straight into the database: account, membership and a session each (no password hashing). */
async function people(databaseUrl: string, boardId: string, n: number, role = 'developer') {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tag = randomBytes(4).toString('hex');
    const cookies: string[] = [];
    for (let start = 0; start < n; start += 500) {
      const count = Math.min(500, n - start);
      const tokens = Array.from({ length: count }, () => randomBytes(24).toString('base64url'));
      const { rows } = await client.query<{ id: string }>(
        `insert into users (email, name, password_hash)
         select 'scale-' || $1 || '-' || i || '@example.com', 'Person ' || lpad(i::text, 5, '0'), 'not-a-hash'
         from generate_series($2::int, $3::int) i returning id`,
        [tag, start, start + count - 1],
      );
      await client.query(
        `insert into board_members (board_id, user_id, role) select $1, unnest($2::uuid[]), $3`,
        [boardId, rows.map((r) => r.id), role],
      );
      await client.query(
        `insert into sessions (id_hash, user_id, csrf_token, expires_at)
         select unnest($1::text[]), unnest($2::uuid[]), 'csrf', now() + interval '1 day'`,
        [tokens.map(sha256), rows.map((r) => r.id)],
      );
      cookies.push(...tokens.map((t) => `bb_session=${t}`));
    }
    return cookies;
  } finally {
    await client.end();
  }
}

async function createBoard(baseUrl: string, admin: { cookie: string; csrf: string }, name: string) {
  const res = await fetch(`${baseUrl}/api/boards`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrf },
    body: JSON.stringify({ name }),
  });
  return ((await res.json()) as { id: string }).id;
}

async function boardSeqOf(baseUrl: string, admin: { cookie: string }, boardId: string) {
  const res = await fetch(`${baseUrl}/api/boards/${boardId}`, { headers: { cookie: admin.cookie } });
  return ((await res.json()) as { seq: number }).seq;
}

const coresOf = (c: ReturnType<typeof cpuShares>) => `${c.server}/${c.postgres}/${c.bench}/${c.others}`;

async function login(baseUrl: string) {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bench@example.com', password: 'bench quartz pelican harbour' }),
  });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
}

/** One burst of `n` joins on a fresh server; CPU for it, and move delays before and during it. */
async function joinBurst(env: Env, n: number, arrival: Arrival) {
  const server = await serverProcess(env);
  let crowd: Awaited<ReturnType<typeof startCrowd>> | undefined;
  try {
    const admin = await login(server.baseUrl);
    const boardId = await createBoard(server.baseUrl, admin, `Burst ${n}`);
    const movesBoard = await createBoard(server.baseUrl, admin, `Moves beside ${n}`);
    const cardIds = await seedCards(env.databaseUrl, movesBoard, 50);
    crowd = await startCrowd({ url: server.baseUrl, cookie: admin.cookie, boardId, clients: n, arrival });
    const mover = await startMover({
      url: server.baseUrl,
      cookie: admin.cookie,
      boardId: movesBoard,
      cardIds,
      rate: MOVES_PER_SECOND,
      anchorStep: 3,
    });
    await mover.run(1); // warm-up
    let roles0 = cpuByRole(server.pid);
    let t0 = performance.now();
    const quiet = await mover.run(QUIET_SECONDS);
    const cpuQuiet = cpuShares(roles0, cpuByRole(server.pid), performance.now() - t0);
    // Each client had the board open before it lost the server: it joins from the sequence it has.
    const seq = await boardSeqOf(server.baseUrl, admin, boardId);
    const cpu0 = server.cpuMs();
    roles0 = cpuByRole(server.pid);
    t0 = performance.now();
    const burst = crowd.burst(seq);
    const loaded = await mover.runWhile(burst);
    const cpuLoaded = cpuShares(roles0, cpuByRole(server.pid), performance.now() - t0);
    await mover.close();
    const { refusals, admittedMs } = await burst;
    return {
      clients: n,
      arrival,
      cpuMs: server.cpuMs() - cpu0,
      seconds: round((performance.now() - t0) / 1000),
      refusals,
      'admitted join p50 ms': round(summarise(admittedMs).p50),
      'quiet moves': quiet.length,
      quietP99: round(summarise(quiet).p99),
      'loaded moves': loaded.length,
      loadedP99: round(summarise(loaded).p99),
      mover: moverKind,
      'clients at nice': crowd.nice,
      'CPU quiet (server/pg/bench/others)': coresOf(cpuQuiet),
      'CPU burst': coresOf(cpuLoaded),
    };
  } finally {
    await crowd?.close();
    await server.stop();
  }
}

/** Bytes and frames one watcher receives for one more join, and for one drag start, with `audience` on the board. */
async function presenceCost(env: Env, audience: number) {
  const server = await serverProcess(env);
  const clients: WireClient[] = [];
  try {
    const admin = await login(server.baseUrl);
    const boardId = await createBoard(server.baseUrl, admin, `Audience ${audience}`);
    const cookies = await people(env.databaseUrl, boardId, audience + 1);
    const cardId = (await seedCards(env.databaseUrl, boardId, 1))[0]!;
    const newcomerCookie = cookies.pop()!;
    for (const cookie of cookies) {
      const c = new WireClient(server.baseUrl, { cookie });
      await c.connected;
      await joinPersistently(c, boardId);
      clients.push(c);
    }
    const watcher = new WireClient(server.baseUrl, { cookie: cookies[0]! });
    await watcher.connected;
    let bytes = 0;
    let frames = 0;
    watcher.on('presence', (frame) => {
      bytes += JSON.stringify(['presence', frame]).length;
      frames++;
    });
    await joinPersistently(watcher, boardId);
    for (let i = 0; i < 500 && frames === 0; i++) await sleep(10); // the full list follows the answer
    const fullListBytes = bytes;
    await sleep(500);
    const measure = async (act: () => Promise<unknown>) => {
      bytes = 0;
      frames = 0;
      await act();
      const deadline = Date.now() + 5000;
      while (frames === 0 && Date.now() < deadline) await sleep(10);
      await sleep(300); // anything else the act caused
      return { bytes, frames };
    };
    const newcomer = new WireClient(server.baseUrl, { cookie: newcomerCookie });
    await newcomer.connected;
    clients.push(newcomer);
    const join = await measure(() => joinPersistently(newcomer, boardId));
    const drag = await measure(() => newcomer.emitWithAck('presence:drag', { boardId, cardId }));
    watcher.close();
    return { audience, fullListBytes, join, drag };
  } finally {
    for (const c of clients) c.close();
    await server.stop();
  }
}

/** `opens` concurrent opens of the big board on a fresh server: the peak of resident memory above before. */
async function concurrentOpens(env: Env, boardId: string, opens: number) {
  const server = await serverProcess(env);
  try {
    const admin = await login(server.baseUrl);
    await sleep(1000);
    const before = server.rssMiB();
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, server.rssMiB());
    }, 10);
    const t0 = performance.now();
    const sizes = await Promise.all(
      Array.from({ length: opens }, async () => {
        const res = await fetch(`${server.baseUrl}/api/boards/${boardId}`, {
          headers: { cookie: admin.cookie, 'accept-encoding': 'gzip' },
        });
        const body = (await res.json()) as { cards: unknown[] };
        if (res.status !== 200 || body.cards.length < CARDS) throw new Error(`open failed: ${res.status}`);
        return Number(res.headers.get('content-length') ?? 0);
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    return {
      opens,
      beforeMiB: round(before),
      peakAboveMiB: round(peak - before),
      seconds: round(seconds),
      wireKiB: round(sizes[0]! / 1024),
    };
  } finally {
    await server.stop();
  }
}

export async function scale(databaseUrl: string, dataDir: string, baseUrl: string) {
  const env = { databaseUrl, dataDir };
  const rows: { figure: string; value: string | number }[] = [];

  const half = await joinBurst(env, Math.round(CLIENTS / 2), 'reconnecting');
  const full = await joinBurst(env, CLIENTS, 'reconnecting');
  const together = await joinBurst(env, CLIENTS, 'together');
  const connecting = await joinBurst(env, CLIENTS, 'connecting');
  const moveRatio = (b: typeof full) => round(b.loadedP99 / Math.max(1, b.quietP99), 2);
  console.log(
    `\nScale: join bursts (one account, every socket on one board; moves at ${MOVES_PER_SECOND}/s on another board)`,
  );
  console.table([half, full, together, connecting]);
  rows.push(
    {
      figure: `join burst CPU, ${CLIENTS} vs ${half.clients} clients (goal ≤ 2.5)`,
      value: round(full.cpuMs / Math.max(1, half.cpuMs), 2),
    },
    { figure: `move p99 during the ${CLIENTS} burst vs quiet (goal ≤ 2)`, value: moveRatio(full) },
    { figure: `the same, all ${CLIENTS} joins in one millisecond (worst case)`, value: moveRatio(together) },
    {
      figure: `the same, ${CLIENTS} clients each with a new connection (after a restart; goal ≤ 2)`,
      value: moveRatio(connecting),
    },
  );

  const small = await presenceCost(env, Math.round(USERS / 3));
  const big = await presenceCost(env, USERS);
  console.log('\nScale: presence bytes a watcher receives, by audience (distinct people)');
  console.table(
    [small, big].map((r) => ({
      audience: r.audience,
      'full list on join, bytes': r.fullListBytes,
      'per join, bytes': r.join.bytes,
      'per join, frames': r.join.frames,
      'per drag start, bytes': r.drag.bytes,
      'per drag start, frames': r.drag.frames,
    })),
  );
  rows.push(
    {
      figure: `bytes per join, ${USERS} vs ${small.audience} people (goal ~1)`,
      value: round(big.join.bytes / Math.max(1, small.join.bytes), 2),
    },
    {
      figure: `bytes per drag start, ${USERS} vs ${small.audience} people (goal ~1)`,
      value: round(big.drag.bytes / Math.max(1, small.drag.bytes), 2),
    },
  );

  const admin = await login(baseUrl);
  const bigBoard = await createBoard(baseUrl, admin, `${CARDS} cards`);
  await seedCards(databaseUrl, bigBoard, CARDS);
  const one = await concurrentOpens(env, bigBoard, 1);
  const many = await concurrentOpens(env, bigBoard, OPENS);
  console.log(`\nScale: concurrent opens of a ${CARDS}-card board, each on a fresh server`);
  console.table([one, many]);
  rows.push({
    figure: `peak memory above idle, ${OPENS} opens vs 1 (goal ≤ 2)`,
    value: round(many.peakAboveMiB / Math.max(1, one.peakAboveMiB), 2),
  });
  console.log('\nScale: ratios');
  console.table(rows);
}
