/**
 * SQL for the queue gauges (server/infra/metrics.ts): the webhook deliveries acknowledged and not yet
 * processed, and pg-boss's unfinished jobs per queue and state. Both read only unfinished rows
 * (plugin_deliveries_unfinished_idx; pg-boss keeps finished jobs a few hours before archiving them),
 * so a scrape stays cheap however long the delivery log is. Also the releases by state (one grouped
 * count over a table of a few rows per release).
 */
import type pg from 'pg';

export interface WebhookBacklog {
  deliveries: number;
  /** seconds since the oldest unprocessed delivery was acknowledged; 0 when there is none */
  oldestAgeSeconds: number;
}

export interface JobCount {
  queue: string;
  /** created (waiting), retry (waiting for its backoff) or active (handed to a worker) */
  state: string;
  jobs: number;
  /** seconds since the oldest such job was created (active: since it started) */
  oldestAgeSeconds: number;
}

export async function webhookBacklog(pool: pg.Pool): Promise<WebhookBacklog> {
  const { rows } = await pool.query<{ deliveries: number; oldest: number | null }>(
    `select count(*)::int as deliveries,
            extract(epoch from now() - min(received_at))::float8 as oldest
       from plugin_deliveries where status = 'queued'`,
  );
  return { deliveries: rows[0]?.deliveries ?? 0, oldestAgeSeconds: Math.max(0, rows[0]?.oldest ?? 0) };
}

/** Empty until pg-boss has created its schema (the plugin host starts it with the app). */
export async function unfinishedJobs(pool: pg.Pool): Promise<JobCount[]> {
  const { rows: schema } = await pool.query(`select 1 from pg_namespace where nspname = 'pgboss'`);
  if (schema.length === 0) return [];
  const { rows } = await pool.query<{ queue: string; state: string; jobs: number; oldest: number }>(
    `select name as queue, state::text as state, count(*)::int as jobs,
            extract(epoch from now() - min(case when state = 'active' then started_on else created_on end))::float8 as oldest
       from pgboss.job where state < 'completed' group by name, state`,
  );
  return rows.map((r) => ({
    queue: r.queue,
    state: r.state,
    jobs: r.jobs,
    oldestAgeSeconds: Math.max(0, r.oldest ?? 0),
  }));
}

/** Releases per state, every board together. */
export async function releasesByState(pool: pg.Pool): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ state: string; releases: number }>(
    `select state, count(*)::int as releases from releases group by state`,
  );
  return new Map(rows.map((r) => [r.state, r.releases]));
}

export interface Deadlines {
  /** SLA warnings and breaches still to announce */
  slaPending: number;
  /** how long ago the oldest SLA deadline passed without being announced (0 when none has) */
  slaOverdueSeconds: number;
  /** escalations with a next step to page */
  escalationsPending: number;
  /** how long ago the oldest escalation step fell due without being paged (0 when none has) */
  escalationOverdueSeconds: number;
}

/** The timed work of the service desk; both read only the due-time indexes. */
export async function deadlines(pool: pg.Pool): Promise<Deadlines> {
  const { rows } = await pool.query<{ what: string; pending: number; overdue: number | null }>(
    `select 'sla' as what, count(*)::int as pending,
            extract(epoch from now() - min(next_due_at) filter (where next_due_at <= now()))::float8 as overdue
       from sla_clocks where next_due_at is not null
     union all
     select 'escalation', count(*)::int,
            extract(epoch from now() - min(next_at) filter (where next_at <= now()))::float8
       from oncall_escalations where next_at is not null`,
  );
  const of = (what: string) => rows.find((r) => r.what === what);
  return {
    slaPending: of('sla')?.pending ?? 0,
    slaOverdueSeconds: Math.max(0, of('sla')?.overdue ?? 0),
    escalationsPending: of('escalation')?.pending ?? 0,
    escalationOverdueSeconds: Math.max(0, of('escalation')?.overdue ?? 0),
  };
}
