/**
 * The SQL behind the release outcomes report (issue 17). One statement reads the board's latest
 * `limit` live releases and, grouped per release, what happened in the window after each went live:
 * the incidents linked to it (its scope: by hand or by a hyper-care link) and those sharing one of
 * its services (an incident's service is its `service:<name>` label, case-insensitive, as
 * `card_service` reads it). Each release's count is a range read of `cards_board_service_incidents_idx`
 * per service it names, so the cost follows the matching incidents, never the board's whole history. The rules over these facts are in server/domain/release-outcomes.ts.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import {
  type CostModel,
  DEFAULT_COST_MODEL,
  OUTAGE_LABELS,
  type ReleaseOutcomeFacts,
} from '../domain/release-outcomes.ts';
import type { Database } from '../infra/schema.ts';

type Q = Kysely<Database> | Transaction<Database>;

const DEFECT_TYPES = sql`('defect_automated', 'defect_manual')`;
const OUTAGE = sql`${[...OUTAGE_LABELS] as string[]}::text[]`;

export async function costModel(db: Q, boardId: string): Promise<CostModel> {
  const row = await db
    .selectFrom('board_release_cost_models')
    .selectAll()
    .where('board_id', '=', boardId)
    .executeTakeFirst();
  if (!row) return DEFAULT_COST_MODEL;
  return {
    model: row.model as CostModel['model'],
    dayRate: Number(row.day_rate),
    teamSize: Number(row.team_size),
    pointCost: Number(row.point_cost),
    currency: row.currency,
    startFrom: row.start_from as CostModel['startFrom'],
  };
}

export async function saveCostModel(db: Q, boardId: string, m: CostModel): Promise<void> {
  const values = {
    model: m.model,
    day_rate: m.dayRate,
    team_size: m.teamSize,
    point_cost: m.pointCost,
    currency: m.currency,
    start_from: m.startFrom,
  };
  await db
    .insertInto('board_release_cost_models')
    .values({ board_id: boardId, ...values })
    .onConflict((oc) => oc.column('board_id').doUpdateSet(values))
    .execute();
}

interface Row {
  id: string;
  version: string;
  created_at: Date;
  live_at: Date;
  first_deployment_at: Date | null;
  points: string;
  linked: string;
  by_service: string;
  severe: string;
  failed_after_live: boolean;
  restore: number[] | null;
  outage: number[] | null;
}

/** The facts of the board's latest `limit` live releases over `windowDays` after each went live. */
export async function outcomeFacts(
  db: Kysely<Database>,
  boardId: string,
  windowDays: number,
  limit: number,
  now: Date,
): Promise<ReleaseOutcomeFacts[]> {
  const { rows } = await db.transaction().execute(async (trx) => {
    // Planned as costly over a big board but run once per request: compiling took longer than running.
    await sql`set local jit = off`.execute(trx);
    return sql<Row>`
    with rel as materialized (
      select r.id, r.version, r.created_at, r.live_at,
             r.live_at + make_interval(days => ${windowDays}) as until,
             coalesce((select array_agg(distinct lower(trim(s.name))) from jsonb_array_elements_text(p.services) s(name)),
                      '{}') as svc
      from releases r left join release_hypercare_plans p on p.release_id = r.id
      where r.board_id = ${boardId} and r.state = 'live' and r.live_at is not null
      order by r.live_at desc
      limit ${limit}
    ),
    -- Aggregated inside a lateral per release (so never pulled up into one join over the board's
    -- cards): each reads the release's own scope, or the index range of each service it names.
    linked_agg as (
      select rel.id as release_id, a.*
      from rel cross join lateral (
        select count(*) filter (where c.type = 'incident') as linked,
               -- linked and on one of its services: counted once, as linked, not again by service
               count(*) filter (where c.type = 'incident' and card_service(c.labels) = any(rel.svc)) as linked_on_service,
               count(*) filter (where c.priority in ('critical', 'high')) as severe,
               bool_or(c.type in ${DEFECT_TYPES}) as defect,
               array_agg(extract(epoch from c.done_at - c.created_at)::float8)
                 filter (where c.type = 'incident' and c.done_at is not null) as restore,
               array_agg(extract(epoch from least(coalesce(c.done_at, ${now}::timestamptz), rel.until) - c.created_at)::float8)
                 filter (where c.type = 'incident' and lower(c.labels::text)::text[] && ${OUTAGE}) as outage
        from release_cards rc join cards c on c.id = rc.card_id
        where rc.release_id = rel.id and (c.type = 'incident' or c.type in ${DEFECT_TYPES})
          and c.created_at >= rel.live_at and c.created_at < rel.until
      ) a
    ),
    by_service as (
      select rel.id as release_id, hit.n
      from rel cross join lateral (
        select count(*) as n
        from unnest(rel.svc) s(name)
        join cards c on c.board_id = ${boardId} and c.type = 'incident'
          and card_service(c.labels) = s.name and card_service(c.labels) is not null
          and c.created_at >= rel.live_at and c.created_at < rel.until
      ) hit
    )
    select rel.id, rel.version, rel.created_at, rel.live_at,
           (select min(rr.reported_at) from release_runs rr
            where rr.release_id = rel.id and rr.kind = 'deployment') as first_deployment_at,
           (select coalesce(sum(c.estimate), 0) from release_cards rc join cards c on c.id = rc.card_id
            where rc.release_id = rel.id and rc.added_at <= rel.live_at) as points,
           coalesce(l.linked, 0) as linked,
           coalesce(b.n, 0) - coalesce(l.linked_on_service, 0) as by_service,
           coalesce(l.severe, 0) as severe,
           coalesce(l.defect, false)
             or exists (select 1 from release_defects d where d.release_id = rel.id and d.created_at >= rel.live_at)
             as failed_after_live,
           l.restore, l.outage
    from rel
    left join linked_agg l on l.release_id = rel.id
    left join by_service b on b.release_id = rel.id
    order by rel.live_at`.execute(trx);
  });
  return rows.map((r) => ({
    releaseId: r.id,
    version: r.version,
    createdAt: r.created_at,
    firstDeploymentAt: r.first_deployment_at,
    liveAt: r.live_at,
    pointsInScope: Number(r.points),
    incidents: Number(r.linked) + Number(r.by_service),
    linkedIncidents: Number(r.linked),
    severeLinkedIncidents: Number(r.severe),
    failedAfterLive: r.failed_after_live,
    restoreSeconds: (r.restore ?? []).map(Number),
    outageSeconds: (r.outage ?? []).map(Number),
  }));
}
