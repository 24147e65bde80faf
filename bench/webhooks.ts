/**
 * Webhook ingestion benchmark (not a test). Starts the real server on real PostgreSQL (embedded
 * PostgreSQL 15 as `npm start` uses, or BENCH_DATABASE_URL), installs the GitHub Actions plugin on a
 * board and posts signed workflow_run failures over loopback from a worker thread (its own event
 * loop, so the load generator does not steal the server's): 20 workflows failing over and over, so
 * every delivery after the first per workflow is deduplicated into an existing ticket.
 *
 * 1. closed loop: BENCH_WEBHOOK_CONCURRENCY requests in flight until BENCH_WEBHOOK_COUNT are sent;
 * 2. open loop: BENCH_WEBHOOK_RATE deliveries/s for BENCH_WEBHOOK_SECONDS.
 * Each reports acknowledgement latency (p50/p99 of the 202), acks/s, and deliveries processed/s end
 * to end (acknowledged → ticket updated and the delivery marked processed). Bounded: fixed counts.
 *
 * Run alone: `npx tsx bench/webhooks.ts`. `bench/run.ts` imports runWebhookBench().
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import { buildApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { createDb, migrateToLatest, startEmbeddedPostgres } from '../server/infra/database.ts';
import { SecretBox } from '../server/infra/secret-box.ts';
import { freePort } from './lib.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

const COUNT = env('BENCH_WEBHOOK_COUNT', 6000);
const CONCURRENCY = env('BENCH_WEBHOOK_CONCURRENCY', 32);
const RATE = env('BENCH_WEBHOOK_RATE', 500);
const SECONDS = env('BENCH_WEBHOOK_SECONDS', 10);
const WORKFLOWS = 20;

interface LoadResult {
  sent: number;
  ok: number;
  failed: number;
  startedAt: number;
  endedAt: number;
  latencies: number[];
}

/** The load generator: plain JS in a worker thread. Bodies are built and signed before the clock starts. */
const LOAD_GENERATOR = `
const { parentPort, workerData: w } = require('node:worker_threads');
const { createHmac, randomUUID } = require('node:crypto');
const template = JSON.parse(w.template);
const requests = [];
for (let i = 0; i < w.total; i++) {
  const p = structuredClone(template);
  const flow = i % w.workflows;
  Object.assign(p.workflow_run, { id: w.runBase + i, run_number: w.runBase + i, workflow_id: 5000 + flow, name: 'Workflow ' + flow });
  const body = JSON.stringify(p);
  requests.push({ body, headers: {
    'content-type': 'application/json', 'x-github-event': 'workflow_run', 'x-github-delivery': randomUUID(),
    'x-hub-signature-256': 'sha256=' + createHmac('sha256', w.secret).update(body).digest('hex') } });
}
const latencies = new Array(w.total);
let ok = 0, failed = 0;
async function send(i) {
  const t0 = performance.now();
  try {
    const res = await fetch(w.url, { method: 'POST', headers: requests[i].headers, body: requests[i].body });
    await res.arrayBuffer();
    if (res.status === 202) ok++; else failed++;
  } catch { failed++; }
  latencies[i] = performance.now() - t0;
}
(async () => {
  const startedAt = Date.now();
  if (w.rate > 0) {
    const inFlight = new Set();
    const t0 = performance.now();
    for (let i = 0; i < w.total; i++) {
      const due = t0 + (i * 1000) / w.rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const p = send(i).finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= 2000) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } else {
    let next = 0;
    await Promise.all(Array.from({ length: w.concurrency }, async () => {
      while (next < w.total) await send(next++);
    }));
  }
  parentPort.postMessage({ sent: w.total, ok, failed, startedAt, endedAt: Date.now(), latencies });
})();
`;

function runLoad(data: Record<string, unknown>): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD_GENERATOR, { eval: true, workerData: data });
    worker.once('message', (m: LoadResult) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export async function runWebhookBench(): Promise<Record<string, number | string>> {
  const external = process.env.BENCH_DATABASE_URL;
  const dataDir = external ? null : mkdtempSync(path.join(tmpdir(), 'blendboard-bench-webhooks-'));
  if (dataDir) chmodSync(dataDir, 0o755); // the embedded server runs as the postgres user
  const embedded = dataDir ? await startEmbeddedPostgres(dataDir, await freePort()) : null;
  const url = external ?? embedded!.url;
  const { db, pool } = createDb(url, 20);
  const config = loadConfig({
    LOG_LEVEL: 'warn',
    WEB_DIST: 'no-web-in-bench',
    LOGIN_RATE_LIMIT: '1000',
    // Every delivery goes to one installation, far above the production default of 600 per minute.
    WEBHOOK_RATE_LIMIT: '1000000',
  });
  let app: Awaited<ReturnType<typeof buildApp>> | null = null;
  try {
    await migrateToLatest(db);
    app = await buildApp({ config, db, pool, secrets: new SecretBox(randomBytes(32)) });
    await app.http.listen({ port: 0, host: '127.0.0.1' });
    const address = app.http.server.address();
    const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    const email = `bench-${Date.now()}@example.com`;
    await app.services.auth.ensureAdmin(email, 'bench quartz pelican harbour');
    const login = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'bench quartz pelican harbour' }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const api = async <T>(p: string, body: unknown): Promise<T> => {
      const res = await fetch(`${baseUrl}${p}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
        body: JSON.stringify(body),
      });
      if (res.status >= 300) throw new Error(`${p}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };
    const template = readFileSync(
      path.join(here, '../plugins/github-actions/fixtures/workflow_run.completed.failure.json'),
      'utf8',
    );

    const phase = async (name: string, total: number, load: { concurrency?: number; rate?: number }) => {
      const board = await api<{ id: string }>('/api/boards', { name: `Webhook bench ${name}` });
      const inst = await api<{ id: string; secret: string }>(`/api/boards/${board.id}/plugins`, {
        pluginId: 'github-actions',
      });
      await sql`vacuum analyze`.execute(db).catch(() => {});
      const elu0 = performance.eventLoopUtilization();
      const result = await runLoad({
        url: `${baseUrl}/hooks/${inst.id}`,
        secret: inst.secret,
        template,
        total,
        workflows: WORKFLOWS,
        runBase: 1_000_000 * (name.length + 1),
        concurrency: load.concurrency ?? 0,
        rate: load.rate ?? 0,
      });
      // Every acknowledged delivery must end up processed: wait for it (bounded).
      const deadline = Date.now() + 120_000;
      let processed = 0;
      let lastProcessedAt = 0;
      while (Date.now() < deadline) {
        const row = await db
          .selectFrom('plugin_deliveries')
          .select((eb) => [
            eb.fn.count<string>('id').filterWhere('status', '=', 'processed').as('processed'),
            eb.fn.max('processed_at').as('last'),
          ])
          .where('installation_id', '=', inst.id)
          .executeTakeFirstOrThrow();
        processed = Number(row.processed);
        lastProcessedAt = row.last ? new Date(row.last as Date).getTime() : 0;
        if (processed >= result.ok) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const elu = performance.eventLoopUtilization(elu0);
      const tickets = await db
        .selectFrom('plugin_tickets')
        .select((eb) => [
          eb.fn.countAll<string>().as('n'),
          eb.fn.sum<string>('occurrences').as('occurrences'),
        ])
        .where('board_id', '=', board.id)
        .executeTakeFirstOrThrow();
      const sorted = [...result.latencies].sort((a, b) => a - b);
      const ackSeconds = (result.endedAt - result.startedAt) / 1000;
      const endToEndSeconds = (Math.max(lastProcessedAt, result.endedAt) - result.startedAt) / 1000;
      return {
        phase: name,
        sent: result.sent,
        acknowledged: result.ok,
        failed: result.failed,
        'acks/s': round(result.ok / ackSeconds, 0),
        'processed/s': round(processed / endToEndSeconds, 0),
        'drain after last ack (s)': round(Math.max(0, lastProcessedAt - result.endedAt) / 1000, 2),
        'ack p50 (ms)': round(percentile(sorted, 50), 2),
        'ack p99 (ms)': round(percentile(sorted, 99), 2),
        'ack max (ms)': round(sorted.at(-1) ?? 0, 1),
        // The server's main thread: how busy it was, and its busy time per delivery (load generator excluded).
        'server busy %': round(elu.utilization * 100, 0),
        'server ms/delivery': round(elu.active / result.ok, 3),
        tickets: Number(tickets.n),
        occurrences: Number(tickets.occurrences ?? 0),
      };
    };

    const closed = await phase(`closed loop, ${CONCURRENCY} in flight`, COUNT, { concurrency: CONCURRENCY });
    const open = await phase(`open loop, ${RATE}/s for ${SECONDS}s`, RATE * SECONDS, { rate: RATE });
    console.table([closed, open]);
    const sustained =
      open.failed === 0 && open['processed/s'] >= RATE * 0.95 && open['drain after last ack (s)'] < 2;
    return {
      database: external ? 'BENCH_DATABASE_URL' : 'embedded PostgreSQL 15',
      'max acks/s (closed loop)': closed['acks/s'],
      'max processed/s (closed loop, dedup)': closed['processed/s'],
      [`sustained ${RATE}/s`]: sustained ? 'yes' : 'no',
      [`processed/s at ${RATE}/s`]: open['processed/s'],
      [`ack p50 ms at ${RATE}/s`]: open['ack p50 (ms)'],
      [`ack p99 ms at ${RATE}/s`]: open['ack p99 (ms)'],
      'server main-thread ms per delivery (ack + processing)': closed['server ms/delivery'],
      'tickets (20 expected per phase)': `${closed.tickets} / ${open.tickets}`,
      'occurrences = deliveries':
        closed.occurrences === closed.acknowledged && open.occurrences === open.acknowledged ? 'yes' : 'no',
    };
  } finally {
    await app?.http.close();
    await db.destroy();
    await embedded?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  console.log(
    `Webhook ingestion benchmark: node ${process.version}, ${new Date().toISOString()}, ` +
      `${COUNT} deliveries closed loop (${CONCURRENCY} in flight), then ${RATE}/s for ${SECONDS}s`,
  );
  runWebhookBench().then(
    (summary) => {
      console.table(Object.entries(summary).map(([figure, value]) => ({ figure, value })));
      process.exit(0);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
