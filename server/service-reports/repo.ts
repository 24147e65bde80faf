/**
 * SQL of the service report and the SLA review minutes (issue 20). The report's counts are three
 * grouped statements over the report's window: the clocks started or resolved in it, read once and
 * grouped both ways (`sla_clocks_board_started_idx`, `sla_clocks_board_resolved_idx`), the ratings
 * given in it (`request_ratings_board_at_idx`), and the backlog open at each period's end.
 * PostgreSQL groups by period (`width_bucket` over the periods' bounds) and tier, so what reaches
 * the server is at most periods × tiers rows whatever the data. The backlog is probed per period end
 * through the clocks' spans (`sla_clocks_open_span_idx`), so it reads the clocks open then, not the
 * board's history. The rules are in
 * server/domain/service-report.ts.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { ReportTier } from '../../protocol/service-report.ts';
import type { ServiceFacts } from '../domain/service-report.ts';
import type { Database, SlaReviewRow } from '../infra/schema.ts';

type Q = Kysely<Database> | Transaction<Database>;

/** A clock's row in the report: requests on their own, incidents by their tier now. */
const TIER = sql<ReportTier>`case when s.kind = 'request' then 'request' else s.tiers -> -1 ->> 'tier' end`;

/**
 * The counts behind a report. `bounds`: the periods' starts then the last period's end, in order;
 * `backlogAt`: per period, the instant its backlog is taken (its end, or now), null for a period yet
 * to begin.
 */
export async function serviceFacts(
  db: Kysely<Database>,
  boardId: string,
  bounds: Date[],
  backlogAt: (Date | null)[],
): Promise<ServiceFacts> {
  const edges = sql`${bounds.map((b) => b.toISOString())}::timestamptz[]`;
  const from = bounds[0]!;
  const until = bounds.at(-1)!;
  const taken = backlogAt.flatMap((at, i) => (at ? [{ at: at.toISOString(), i }] : []));
  return db.transaction().execute(async (trx) => {
    // Planned as costly over a big board but run once per request: compiling took longer than running.
    await sql`set local jit = off`.execute(trx);
    // Each grouping holds at most periods × tiers groups, but the planner cannot know it from
    // width_bucket and plans a sort of every row; memory enough to hash them in place.
    await sql`set local work_mem = '16MB'`.execute(trx);
    // One pass over the clocks started or resolved in the window, grouped twice: by the period it
    // started in (opened, acknowledged) and by the one it was resolved in (attainment, restore).
    // A bucket of 0 or periods + 1 lies outside the window (the clock counted only in the other).
    const { rows: clocks } = await sql<{
      by_start: boolean;
      b: number | null;
      tier: ReportTier;
      n: number;
      acked: number;
      ack: number;
      response_breached: number;
      resolution_breached: number;
      restore: number;
    }>`
      select grouping(r.b) = 1 as by_start, coalesce(r.b, o.b) as b, ${TIER} as tier, count(*)::int as n,
             count(a.at)::int as acked,
             coalesce(sum(extract(epoch from a.at - s.started_at)), 0)::float8 as ack,
             count(*) filter (where 'response.breached' = any(s.fired))::int as response_breached,
             count(*) filter (where 'resolution.breached' = any(s.fired))::int as resolution_breached,
             coalesce(sum(extract(epoch from s.resolved_at - s.started_at)), 0)::float8 as restore
      from sla_clocks s
      left join oncall_escalations e on e.card_id = s.card_id
      cross join lateral (select coalesce(e.acked_at, s.response_met_at) as at,
                                 width_bucket(s.started_at, ${edges}) as b) a
      cross join lateral (select width_bucket(s.resolved_at, ${edges}) as b) r
      cross join lateral (select a.b) o
      where s.board_id = ${boardId}
        and ((s.started_at >= ${from} and s.started_at < ${until})
             or (s.resolved_at >= ${from} and s.resolved_at < ${until}))
      group by grouping sets ((o.b, ${TIER}), (r.b, ${TIER}))`.execute(trx);
    const inWindow = (b: number | null): b is number => b !== null && b >= 1 && b < bounds.length;
    const resolved = { rows: clocks.filter((c) => !c.by_start && inWindow(c.b)) };
    const opened = { rows: clocks.filter((c) => c.by_start && inWindow(c.b)) };
    const ratings = await sql<{ b: number; n: number; total: number; satisfied: number }>`
      select width_bucket(r.rated_at, ${edges}) as b, count(*)::int as n, sum(r.rating)::int as total,
             count(*) filter (where r.rating >= 4)::int as satisfied
      from request_ratings r
      where r.board_id = ${boardId} and r.rated_at >= ${from} and r.rated_at < ${until}
      group by 1`.execute(trx);
    const backlog = taken.length
      ? await sql<{ i: number; open: number; p50: number | null; p90: number | null }>`
      select p.i, count(*)::int as open,
             percentile_cont(0.5) within group (order by extract(epoch from p.at - s.started_at)) as p50,
             percentile_cont(0.9) within group (order by extract(epoch from p.at - s.started_at)) as p90
      from unnest(${taken.map((t) => t.at)}::timestamptz[], ${taken.map((t) => t.i)}::int[]) as p(at, i)
      join sla_clocks s on tstzrange(s.started_at, s.resolved_at, '[)') @> p.at and s.board_id = ${boardId}
      group by p.i`.execute(trx)
      : { rows: [] };
    return {
      resolved: resolved.rows.map((r) => ({
        period: r.b! - 1,
        tier: r.tier,
        resolved: r.n,
        responseBreached: r.response_breached,
        resolutionBreached: r.resolution_breached,
        restoreSeconds: r.restore,
      })),
      opened: opened.rows.map((r) => ({
        period: r.b! - 1,
        tier: r.tier,
        opened: r.n,
        acknowledged: r.acked,
        acknowledgeSeconds: r.ack,
      })),
      ratings: ratings.rows.map((r) => ({
        period: r.b - 1,
        ratings: r.n,
        ratingSum: r.total,
        satisfied: r.satisfied,
      })),
      backlog: backlog.rows.map((r) => ({
        period: r.i,
        open: r.open,
        p50Seconds: r.p50 === null ? null : Number(r.p50),
        p90Seconds: r.p90 === null ? null : Number(r.p90),
      })),
    };
  });
}

// ---- SLA review minutes --------------------------------------------------------------------------

export type ReviewValues = {
  quarter: string;
  held_on: string;
  attendees: string;
  minutes: string;
  actions: string;
};

/** The board's reviews of the given quarters, in order. */
export async function reviewsOf(db: Q, boardId: string, quarters: string[]): Promise<SlaReviewRow[]> {
  if (quarters.length === 0) return [];
  return db
    .selectFrom('sla_reviews')
    .selectAll()
    .where('board_id', '=', boardId)
    .where('quarter', 'in', quarters)
    .orderBy('quarter')
    .execute();
}

/** The board's latest `limit` reviews, newest quarter first. */
export async function latestReviews(db: Q, boardId: string, limit: number): Promise<SlaReviewRow[]> {
  return db
    .selectFrom('sla_reviews')
    .selectAll()
    .where('board_id', '=', boardId)
    .orderBy('quarter', 'desc')
    .limit(limit)
    .execute();
}

export async function lockReview(
  trx: Transaction<Database>,
  boardId: string,
  id: string,
): Promise<SlaReviewRow | undefined> {
  return trx
    .selectFrom('sla_reviews')
    .selectAll()
    .where('board_id', '=', boardId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

/** A new review; undefined when the board already has one for the quarter. */
export async function insertReview(
  db: Q,
  boardId: string,
  createdBy: string | null,
  values: ReviewValues,
): Promise<SlaReviewRow | undefined> {
  return db
    .insertInto('sla_reviews')
    .values({ board_id: boardId, created_by: createdBy, ...values })
    .onConflict((oc) => oc.columns(['board_id', 'quarter']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function updateReview(db: Q, id: string, values: ReviewValues): Promise<SlaReviewRow> {
  return db
    .updateTable('sla_reviews')
    .set((eb) => ({ ...values, revision: eb('revision', '+', 1), updated_at: sql<Date>`now()` }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteReview(db: Q, id: string): Promise<void> {
  await db.deleteFrom('sla_reviews').where('id', '=', id).execute();
}

/** Another review of the board already holds this quarter. */
export async function quarterTaken(
  db: Q,
  boardId: string,
  quarter: string,
  exceptId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('sla_reviews')
    .select('id')
    .where('board_id', '=', boardId)
    .where('quarter', '=', quarter)
    .where('id', '!=', exceptId)
    .executeTakeFirst();
  return row !== undefined;
}
