/**
 * The release outcomes report on a big board (issue 17): fill a board straight in SQL with `releases`
 * live releases spread over two years (each naming one of 20 services, 20 incidents linked to each)
 * and `incidents` incidents spread over the same two years (labelled with a service, some outages,
 * most resolved), then time the report (default 14-day window, and the largest, 90 days) beside a
 * GET of one release on the same board, and say whether the 200 ms target holds.
 */
import pg from 'pg';
import { round, summarise } from './lib.ts';

/** What issue 17 asks of the outcomes report, at 200 releases and 200,000 incidents. */
export const OUTCOMES_TARGET_MS = 200;

export interface OutcomesBoard {
  boardId: string;
  releaseId: string;
  releases: number;
  incidents: number;
  fillSeconds: number;
}

export async function fillOutcomesBoard(
  databaseUrl: string,
  boardId: string,
  { releases, incidents }: { releases: number; incidents: number },
): Promise<OutcomesBoard> {
  const t0 = performance.now();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const q = (text: string, values: unknown[] = []) => client.query(text, values);
    const span = `interval '730 days'`;
    await q(
      `insert into releases (board_id, version, stream, environments, readiness, approvers, state, created_at, live_at)
       select $1, '1.' || i || '.0', 'development', '[]', '[]', '[]', 'live',
              now() - ${span} + make_interval(secs => i * 730 * 86400.0 / $2) - interval '10 days',
              now() - ${span} + make_interval(secs => i * 730 * 86400.0 / $2)
       from generate_series(1, $2::int) i`,
      [boardId, releases],
    );
    await q(
      `insert into release_hypercare_plans (release_id, services)
       select id, jsonb_build_array('svc-' || (split_part(version, '.', 2)::int % 20)) from releases where board_id = $1`,
      [boardId],
    );
    const slice = 100_000;
    for (let done = 0; done < incidents; done += slice) {
      const n = Math.min(slice, incidents - done);
      await q(
        `insert into cards (board_id, number, key, title, type, stream, rank, labels, priority, created_at, done_at)
         select $1, i, 'INC-' || i, 'Incident ' || i, 'incident', 'maintenance', 'i' || lpad(i::text, 8, '0'),
                case when i % 50 = 0 then array['service:svc-' || (i % 20), 'outage'] else array['service:svc-' || (i % 20)] end,
                (array['critical', 'high', 'medium', 'low', 'low'])[1 + i % 5],
                now() - ${span} + make_interval(secs => i * 730 * 86400.0 / $3),
                case when i % 10 <> 0 then now() - ${span} + make_interval(secs => i * 730 * 86400.0 / $3 + (i % 240) * 60) end
         from generate_series($2::int + 1, $2::int + $4::int) i`,
        [boardId, done, incidents, n],
      );
    }
    // 20 incidents linked to each release: the first ones after it went live (a card travels in one release).
    await q(
      `insert into release_cards (release_id, card_id, added_at)
       select r.id, c.id, c.created_at from releases r
       cross join lateral (select id, created_at from cards
                           where board_id = $1 and type = 'incident' and created_at >= r.live_at
                           order by created_at limit 20) c
       where r.board_id = $1
       on conflict do nothing`,
      [boardId],
    );
    await q('vacuum analyze cards');
    await q('analyze releases');
    await q('analyze release_cards');
    const one = await q(`select id from releases where board_id = $1 order by live_at desc limit 1`, [
      boardId,
    ]);
    return {
      boardId,
      releaseId: one.rows[0].id as string,
      releases,
      incidents,
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

export async function timeOutcomes(baseUrl: string, cookie: string, board: OutcomesBoard, runs: number) {
  const base = `/api/boards/${board.boardId}/releases`;
  const baseline = await timeGet(baseUrl, cookie, `${base}/${board.releaseId}`, runs);
  const rows: Record<string, string | number | boolean>[] = [
    { request: 'baseline: GET one release', ...baseline, ratio: 1, [`≤${OUTCOMES_TARGET_MS} ms`]: '' },
  ];
  for (const [request, path] of [
    ['outcomes, 14-day window (default)', `${base}/outcomes`],
    ['outcomes, 90-day window (largest)', `${base}/outcomes?windowDays=90`],
    ['outcomes CSV, 14-day window', `${base}/outcomes?format=csv`],
  ] as const) {
    const r = await timeGet(baseUrl, cookie, path, runs);
    rows.push({
      request,
      ...r,
      ratio: round(r.medianMs / baseline.medianMs),
      [`≤${OUTCOMES_TARGET_MS} ms`]: r.medianMs <= OUTCOMES_TARGET_MS ? 'holds (median)' : 'FAILS (median)',
    });
  }
  return rows;
}
