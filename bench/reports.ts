/**
 * Reports on a big board: fill a board straight in SQL (cards, a 56-day sprint, completed sprints and
 * a million card moves over the last 90 days), then time the largest report each route allows
 * (burndown of an 8-week sprint, cumulative flow over 90 days, velocity) beside the same reports on a
 * small board, and how long /healthz waits while they run.
 */
import pg from 'pg';
import { seedCards } from './board-load.ts';
import { round, sleep, summarise } from './lib.ts';

export interface ReportBoard {
  boardId: string;
  sprintId: string;
  events: number;
  fillSeconds: number;
}

/**
 * `cards` cards (a third maintenance, as seedCards makes them), the development ones in an active
 * 56-day sprint ending today (half of them done, spread over its days), `sprints` completed sprints
 * each with its completion event, and `events` card.moved events of maintenance cards between
 * maintenance columns, spread evenly over the last 90 days, after one card.created per card 120
 * days ago. Payloads are shaped (and sized) like the server's own.
 */
export async function fillReportBoard(
  databaseUrl: string,
  boardId: string,
  { cards, events, sprints }: { cards: number; events: number; sprints: number },
): Promise<ReportBoard> {
  const t0 = performance.now();
  await seedCards(databaseUrl, boardId, cards);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const q = (text: string, values: unknown[] = []) => client.query(text, values);
    await q(
      `insert into sprints (board_id, name, goal, state, capacity, start_date, end_date, started_at, completed_at,
                            committed_points, completed_points, carry_over)
       select $1, 'Sprint ' || s, 'Ship it', 'completed', 40, current_date - 14 * ($2 - s + 5), current_date - 14 * ($2 - s + 4) - 1,
              now() - make_interval(days => 14 * ($2 - s + 5)), now() - make_interval(days => 14 * ($2 - s + 4)),
              40, 30 + s % 10, 'backlog'
       from generate_series(1, $2) s`,
      [boardId, sprints],
    );
    const sprint = await q(
      `insert into sprints (board_id, name, goal, state, capacity, start_date, end_date, started_at, committed_points)
       values ($1, 'Eight weeks', 'The longest sprint allowed', 'active', 10000, current_date - 55, current_date,
               now() - interval '55 days', 0)
       returning id`,
      [boardId],
    );
    const sprintId = sprint.rows[0].id as string;
    await q(
      `update cards c set sprint_id = $2,
              column_id = (select id from board_columns where board_id = $1 and stream = 'development'
                           and category = case when c.number % 2 = 0 then 'done' else 'todo' end order by position limit 1),
              done_at = case when c.number % 2 = 0 then now() - make_interval(days => c.number % 56) end
       where c.board_id = $1 and c.stream = 'development'`,
      [boardId, sprintId],
    );
    await q(
      `update sprints set committed_points = (select coalesce(sum(estimate), 0) from cards where sprint_id = $1) where id = $1`,
      [sprintId],
    );
    // Events in time order (the flow report finds its window by a binary search over seq and time).
    await q(
      `insert into board_events (board_id, seq, type, actor_label, payload, created_at)
       select $1, row_number() over (order by s.completed_at), 'sprint.completed', 'Bench',
              jsonb_build_object('sprint', jsonb_build_object('id', s.id, 'name', s.name), 'cards', '[]'::jsonb,
                                 'carryOver', 'backlog'),
              s.completed_at
       from sprints s where s.board_id = $1 and s.state = 'completed'`,
      [boardId],
    );
    // Every card's creation, before the window: the flow report folds it into the card's starting place.
    await q(
      `insert into board_events (board_id, seq, type, card_id, actor_label, payload, created_at)
       select $1, $2 + row_number() over (order by c.number), 'card.created', c.id, 'Bench',
              jsonb_build_object('card', jsonb_build_object('id', c.id, 'key', c.key, 'title', c.title, 'columnId', null,
                                 'stream', c.stream, 'rank', c.rank, 'version', 1)),
              now() - interval '120 days'
       from cards c where c.board_id = $1`,
      [boardId, sprints],
    );
    let seq = cards + sprints;
    // The moves, in slices so a slice's WAL and memory stay small.
    const slice = 100_000;
    for (let done = 0; done < events; done += slice) {
      const n = Math.min(slice, events - done);
      await q(
        `with maint as (select array_agg(id order by number) as ids from cards where board_id = $1 and stream = 'maintenance'),
              cols as (select array_agg(id::text order by position) as ids from board_columns
                       where board_id = $1 and stream = 'maintenance')
         insert into board_events (board_id, seq, type, card_id, actor_label, payload, created_at)
         select $1, $2 + i, 'card.moved', card, 'Bench',
                jsonb_build_object(
                  'card', jsonb_build_object('id', card, 'version', i + 1, 'rank', 'a' || lpad(i::text, 8, '0'),
                                             'columnId', cols.ids[1 + (($3 + i) / 7) % array_length(cols.ids, 1)],
                                             'sprintId', null, 'stream', 'maintenance',
                                             'startedAt', '2026-01-01T00:00:00.000Z', 'doneAt', null,
                                             'updatedAt', '2026-01-01T00:00:00.000Z'),
                  -- where the card's previous move (one lap of the cards earlier) left it
                  'from', jsonb_build_object('columnId', case when $3 + i > array_length(maint.ids, 1)
                                               then cols.ids[1 + (($3 + i - array_length(maint.ids, 1)) / 7) % array_length(cols.ids, 1)] end,
                                             'rank', 'a' || lpad((i + 1)::text, 8, '0'), 'sprintId', null,
                                             'stream', 'maintenance')),
                now() - interval '90 days' + make_interval(secs => ($3 + i) * 90 * 86400.0 / $4)
         from generate_series(1, $5::int) i, maint, cols,
              lateral (select maint.ids[1 + ($3 + i) % array_length(maint.ids, 1)] as card) c`,
        [boardId, seq, done, events, n],
      );
      seq += n;
    }
    // Each maintenance card where its last move left it (the card with the r-th number moved at r, r + m, ...).
    await q(
      `with maint as (select id, ord from unnest((select array_agg(id order by number) from cards
                                                   where board_id = $1 and stream = 'maintenance')) with ordinality u(id, ord)),
            m as (select count(*) as m from maint),
            cols as (select array_agg(id order by position) as ids from board_columns
                     where board_id = $1 and stream = 'maintenance'),
            last as (select maint.id, $2::bigint - (($2::bigint - (maint.ord - 1)) % m.m + m.m) % m.m as j from maint, m)
       update cards c
       set column_id = case when last.j >= 1 then cols.ids[1 + (last.j / 7) % array_length(cols.ids, 1)] end,
           started_at = case when last.j >= 1 then now() - interval '80 days' end,
           done_at = case when last.j >= 1 and (last.j / 7) % array_length(cols.ids, 1) = array_length(cols.ids, 1) - 1
                          then now() - make_interval(days => (last.j % 80)::int) end
       from last, cols where c.id = last.id`,
      [boardId, events],
    );
    await q('update boards set seq = $2 where id = $1', [boardId, seq]);
    await q('analyze board_events');
    await q('analyze cards');
    await q('analyze sprints');
    return { boardId, sprintId, events: seq, fillSeconds: round((performance.now() - t0) / 1000) };
  } finally {
    await client.end();
  }
}

async function timeGet(baseUrl: string, cookie: string, path: string, runs: number) {
  const samples: number[] = [];
  let bytes = 0;
  let points = 0;
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    const res = await fetch(`${baseUrl}${path}`, { headers: { cookie } });
    const text = await res.text();
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text.slice(0, 200)}`);
    bytes = text.length;
    const body = JSON.parse(text) as { days?: unknown[]; cumulativeFlow?: unknown[] } | unknown[];
    points = Array.isArray(body) ? body.length : (body.days ?? body.cumulativeFlow ?? []).length;
    if (i > 0) samples.push(ms); // the first warms caches and the JIT
  }
  const s = summarise(samples);
  return { medianMs: round(s.p50), p90Ms: round(s.p90), bytes, points };
}

/** Polls /healthz every 20 ms until `stop` resolves; returns the slowest answer. */
async function watchHealth(baseUrl: string, stop: Promise<unknown>) {
  let running = true;
  void stop.finally(() => {
    running = false;
  });
  const samples: number[] = [];
  while (running) {
    const t0 = performance.now();
    await (await fetch(`${baseUrl}/healthz`)).arrayBuffer();
    samples.push(performance.now() - t0);
    await sleep(20);
  }
  const s = summarise(samples);
  return { healthzP50Ms: round(s.p50), healthzMaxMs: round(s.max) };
}

async function residentMiB(baseUrl: string, cookie: string) {
  const text = await (await fetch(`${baseUrl}/metrics`, { headers: { cookie } })).text();
  const m = /^process_resident_memory_bytes (\d+)/m.exec(text);
  return m ? round(Number(m[1]) / 1024 / 1024, 0) : Number.NaN;
}

/** The three reports, largest allowed, on the small and the big board; the big board's beside /healthz. */
export async function timeReports(
  baseUrl: string,
  cookie: string,
  small: ReportBoard,
  big: ReportBoard,
  runs: number,
) {
  const paths = (b: ReportBoard) => ({
    'burndown (56 days)': `/api/boards/${b.boardId}/reports/burndown/${b.sprintId}`,
    'flow (90 days)': `/api/boards/${b.boardId}/reports/flow?days=90`,
    'velocity (6 sprints)': `/api/boards/${b.boardId}/reports/velocity`,
  });
  const rssBefore = await residentMiB(baseUrl, cookie);
  const rows = [];
  for (const [report, smallPath] of Object.entries(paths(small))) {
    const bigPath = paths(big)[report as keyof ReturnType<typeof paths>];
    const s = await timeGet(baseUrl, cookie, smallPath, runs);
    const bigRun = timeGet(baseUrl, cookie, bigPath, runs);
    const [b, health] = await Promise.all([bigRun, watchHealth(baseUrl, bigRun)]);
    rows.push({
      report,
      [`small board ms (${small.events} events)`]: s.medianMs,
      [`big board ms (${big.events} events)`]: b.medianMs,
      'big p90 ms': b.p90Ms,
      ratio: round(b.medianMs / s.medianMs),
      points: b.points,
      KiB: round(b.bytes / 1024),
      'healthz p50 ms': health.healthzP50Ms,
      'healthz max ms': health.healthzMaxMs,
    });
  }
  return { rows, rssBeforeMiB: rssBefore, rssAfterMiB: await residentMiB(baseUrl, cookie) };
}
