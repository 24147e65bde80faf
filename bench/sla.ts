/**
 * SLA deadlines (issue 20): what open clocks cost the server, and how late their warnings are.
 * A server process of its own on a database of its own (so earlier parts' cards get no clocks and
 * the CPU time is this part's alone), in three windows of BENCH_SLA_SECONDS (default 60) each:
 *
 * 1. idle, no clocks: the server's CPU per minute (the baseline);
 * 2. BENCH_SLA_CLOCKS (default 10000) open incidents with clocks, none due in the window;
 * 3. the same clocks, BENCH_SLA_DUE (default 1000) of them reaching their warning (75%) spread evenly
 *    over the window: CPU per minute, and the detection lag (announced at − due at) of each warning.
 *
 * Goals: lag p99 under 5 s; the CPU of (2) about that of (1), since the scheduler reads only the
 * clocks due (cost grows with those, not with the open ones); every warning announced exactly once.
 * The clocks are written in SQL as the server writes them (24x7, 60-minute resolution target).
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { freePort, percentile, round, sleep, startChild } from './lib.ts';

const CLOCKS = Number(process.env.BENCH_SLA_CLOCKS ?? 10_000);
const DUE = Math.min(CLOCKS, Number(process.env.BENCH_SLA_DUE ?? 1000));
const SECONDS = Number(process.env.BENCH_SLA_SECONDS ?? 60);
const TARGET_MINUTES = 60;

const ADMIN = { email: 'sla-bench@example.com', password: 'sla bench quartz pelican harbour' };

async function serverProcess(databaseUrl: string, dataDir: string) {
  const port = await freePort();
  const server = startChild(
    ['server/main.ts'],
    {
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
    },
    /never printed at warn/,
  );
  server.started.catch(() => {});
  const baseUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
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
    /** user + system CPU time so far, ms */
    cpuMs() {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    },
    stop: server.stop,
  };
}

async function signIn(baseUrl: string) {
  const login = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const send = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<{ id: string }>;
  };
  return send;
}

/**
 * N open maintenance incidents with running clocks, straight into the database: the response met,
 * the resolution warning of the first `due` at evenly spread instants in [from, from + spreadMs), the
 * others' hours away.
 */
async function seedClocks(
  client: pg.Client,
  boardId: string,
  n: number,
  due: number,
  from: number,
  spreadMs: number,
) {
  const { rows } = await client.query<{ key: string }>('select key from boards where id = $1', [boardId]);
  const key = rows[0]!.key;
  const warnAfterMs = 0.75 * TARGET_MINUTES * 60_000;
  for (let start = 0; start < n; start += 2000) {
    const count = Math.min(2000, n - start);
    await client.query(
      `with c as (
         insert into cards (board_id, number, key, title, type, stream, rank, priority)
         select $1, i, $2 || '-' || i, 'Incident ' || i, 'incident', 'maintenance', 'a' || lpad(i::text, 8, '0'), 'high'
         from generate_series($3::int + 1, $3::int + $4::int) i
         returning id, number)
       insert into sla_clocks (card_id, board_id, kind, started_at, tiers, response_met_at, next_due_at, next_stage)
       select c.id, $1, 'incident', d.due - make_interval(secs => $6::float8 / 1000),
              jsonb_build_array(jsonb_build_object('at', to_char((d.due - make_interval(secs => $6::float8 / 1000)) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'tier', 'high')),
              d.due - make_interval(secs => $6::float8 / 1000), d.due, 'resolution.warning'
       from c cross join lateral (
         select case when c.number <= $5
           then to_timestamp(($7::float8 + (c.number - 1) * $8::float8 / greatest($5, 1)) / 1000)
           else now() + interval '3 hours' + c.number * interval '1 second' end as due) d`,
      [boardId, key, start, count, due, warnAfterMs, from, spreadMs],
    );
  }
  await client.query('update boards set card_counter = $2 where id = $1', [boardId, n]);
  await client.query('analyze cards; analyze sla_clocks');
}

export async function slaDeadlines(adminDatabaseUrl: string, dataDir: string) {
  const admin = new pg.Client({ connectionString: adminDatabaseUrl });
  await admin.connect();
  const dbName = `blendboard_sla_${Date.now()}`;
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const databaseUrl = adminDatabaseUrl.replace(/\/[^/]*$/, `/${dbName}`);
  const server = await serverProcess(databaseUrl, dataDir);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const send = await signIn(server.baseUrl);
    const boardId = (await send('POST', '/api/boards', { name: 'Service desk' })).id;
    const allDay = { kind: '24x7' };
    const target = { responseMinutes: 15, resolutionMinutes: TARGET_MINUTES, calendar: allDay };
    await send('PUT', `/api/boards/${boardId}/sla`, {
      matrix: [
        ['critical', 'high', 'normal'],
        ['high', 'normal', 'low'],
        ['normal', 'low', 'low'],
      ],
      tiers: { critical: target, high: target, normal: target, low: target },
      request: target,
    });

    const window = async () => {
      const cpu0 = server.cpuMs();
      const t0 = performance.now();
      await sleep(SECONDS * 1000);
      return ((server.cpuMs() - cpu0) / (performance.now() - t0)) * 60_000;
    };
    await sleep(2000); // settle after start-up
    const idleCpu = await window();

    // The due ones start a little after seeding, so the window holds all of them.
    const from = Date.now() + 5000;
    const seedStart = performance.now();
    await seedClocks(client, boardId, CLOCKS, DUE, from + SECONDS * 1000 * 1.05, SECONDS * 1000 * 0.9);
    const seedSeconds = round((performance.now() - seedStart) / 1000);
    await sleep(Math.max(0, from - Date.now()));
    const openCpu = await window();
    const dueCpu = await window();
    await sleep(5000); // the last warnings' grace

    const { rows } = await client.query<{ card_id: string; lag_ms: number }>(
      `select card_id, extract(epoch from (created_at - (payload->>'dueAt')::timestamptz)) * 1000 as lag_ms
       from board_events where board_id = $1 and type = 'sla.warning'`,
      [boardId],
    );
    const lags = rows.map((r) => Number(r.lag_ms)).sort((a, b) => a - b);
    const distinct = new Set(rows.map((r) => r.card_id)).size;
    const perMinute = (ms: number) => `${round(ms / 1000)} s`;
    console.log(
      `\nSLA deadlines: ${CLOCKS.toLocaleString('en')} open incidents with clocks (seeded in ${seedSeconds} s), ${DUE.toLocaleString('en')} warnings due over ${SECONDS} s; server CPU per minute in ${SECONDS}-second windows`,
    );
    console.table([
      { figure: 'CPU per minute, idle, 0 clocks (baseline)', value: perMinute(idleCpu) },
      { figure: `CPU per minute, ${CLOCKS} open clocks, none due`, value: perMinute(openCpu) },
      { figure: '  ratio to the baseline', value: round(openCpu / Math.max(idleCpu, 1), 2) },
      { figure: `CPU per minute, ${CLOCKS} open, ${DUE} warnings due`, value: perMinute(dueCpu) },
      { figure: '  ratio to the baseline', value: round(dueCpu / Math.max(idleCpu, 1), 2) },
      { figure: 'warnings announced / due', value: `${rows.length} / ${DUE}` },
      { figure: 'announced more than once', value: rows.length - distinct },
      { figure: 'detection lag p50 (announced − due)', value: `${round(percentile(lags, 50))} ms` },
      { figure: 'detection lag p99', value: `${round(percentile(lags, 99))} ms` },
      { figure: 'detection lag max', value: `${round(lags.at(-1) ?? 0)} ms` },
    ]);
  } finally {
    await client.end();
    await server.stop();
  }
}
