/**
 * The service report on a big board (issue 20): fill a board straight in SQL with `incidents`
 * incidents in the maintenance stream, each with its SLA clock, spread over the last two years (a
 * mix of tiers, one in eight breached, critical ones paged and acknowledged, 2% still open), plus a
 * tenth as many service requests, most rated; then time the largest reports the route allows (8
 * quarters, 24 months, the CSV) beside a GET of one card on the same board.
 */
import pg from 'pg';
import { round, summarise } from './lib.ts';

export interface ServiceBoard {
  boardId: string;
  cardId: string;
  incidents: number;
  requests: number;
  fillSeconds: number;
}

export async function fillServiceBoard(
  databaseUrl: string,
  boardId: string,
  { incidents }: { incidents: number },
): Promise<ServiceBoard> {
  const t0 = performance.now();
  const requests = Math.round(incidents / 10);
  const total = incidents + requests;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const q = (text: string, values: unknown[] = []) => client.query(text, values);
    // card i starts at i / total of the way through the two years; every tenth (after the
    // incidents) is a request. Resolved after (i % 600) minutes, or open for the last 2%.
    const at = `now() - interval '730 days' + make_interval(secs => i * 730 * 86400.0 / $3)`;
    const slice = 100_000;
    for (let done = 0; done < total; done += slice) {
      const n = Math.min(slice, total - done);
      await q(
        `insert into cards (board_id, number, key, title, type, stream, rank, priority, created_at, done_at)
         select $1, i, 'SRV-' || i, 'Ticket ' || i,
                case when i > $4 then 'service_request' else 'incident' end, 'maintenance',
                's' || lpad(i::text, 8, '0'), (array['critical', 'high', 'medium', 'low', 'low'])[1 + i % 5],
                ${at}, case when i % 50 <> 0 then ${at} + make_interval(mins => 5 + i % 600) end
         from generate_series($2::int + 1, $2::int + $5::int) i`,
        [boardId, done, total, incidents, n],
      );
    }
    await q(
      `insert into sla_clocks (card_id, board_id, kind, started_at, tiers, response_met_at, resolved_at, fired)
       select c.id, c.board_id, case when c.type = 'service_request' then 'request' else 'incident' end, c.created_at,
              jsonb_build_array(jsonb_build_object('at', c.created_at,
                'tier', case when c.priority = 'medium' then 'normal' else c.priority end)),
              c.created_at + make_interval(mins => 1 + c.number % 90), c.done_at,
              case when c.number % 8 = 0 then array['resolution.warning', 'resolution.breached'] else '{}' end
       from cards c where c.board_id = $1`,
      [boardId],
    );
    await q(
      `insert into oncall_escalations (board_id, card_id, steps, triggered_at, acked_at)
       select c.board_id, c.id, '[]', c.created_at, c.created_at + make_interval(mins => 1 + c.number % 30)
       from cards c where c.board_id = $1 and c.type = 'incident' and c.priority = 'critical'`,
      [boardId],
    );
    await q(
      `insert into request_ratings (card_id, board_id, rating, rated_at)
       select c.id, c.board_id, 1 + c.number % 5, c.done_at + interval '1 hour'
       from cards c where c.board_id = $1 and c.type = 'service_request' and c.done_at is not null and c.number % 3 <> 0`,
      [boardId],
    );
    for (const table of ['cards', 'sla_clocks', 'oncall_escalations', 'request_ratings'])
      await q(`vacuum analyze ${table}`);
    const one = await q(`select id from cards where board_id = $1 order by number desc limit 1`, [boardId]);
    return {
      boardId,
      cardId: one.rows[0].id as string,
      incidents,
      requests,
      fillSeconds: round((performance.now() - t0) / 1000),
    };
  } finally {
    await client.end();
  }
}

async function timeGet(baseUrl: string, cookie: string, path: string, runs: number) {
  const samples: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    const res = await fetch(`${baseUrl}${path}`, { headers: { cookie } });
    const text = await res.text();
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text.slice(0, 200)}`);
    bytes = text.length;
    if (i > 0) samples.push(ms); // the first warms caches and the JIT
  }
  const s = summarise(samples);
  return { medianMs: round(s.p50), p99Ms: round(s.p99), KiB: round(bytes / 1024) };
}

export async function timeServiceReport(baseUrl: string, cookie: string, board: ServiceBoard, runs: number) {
  const base = `/api/boards/${board.boardId}`;
  const baseline = await timeGet(baseUrl, cookie, `${base}/cards/${board.cardId}`, runs);
  const rows: Record<string, string | number>[] = [
    { request: 'baseline: GET one card', ...baseline, ratio: 1 },
  ];
  // the largest windows the route allows, ending this quarter / month
  const to = new Date().toISOString().slice(0, 10);
  const from = (months: number) => {
    const d = new Date();
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() - months);
    return d.toISOString().slice(0, 10);
  };
  for (const [request, path] of [
    ['service report, 8 quarters', `${base}/service-report?period=quarter&from=${from(21)}&to=${to}`],
    ['service report, 24 months', `${base}/service-report?period=month&from=${from(23)}&to=${to}`],
    ['service report CSV, 8 quarters', `${base}/service-report.csv?period=quarter&from=${from(21)}&to=${to}`],
  ] as const) {
    const r = await timeGet(baseUrl, cookie, path, runs);
    rows.push({ request, ...r, ratio: round(r.medianMs / baseline.medianMs) });
  }
  return rows;
}
