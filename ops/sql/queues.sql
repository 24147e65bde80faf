-- The queues as /metrics counts them (RUNBOOK.md: webhook backlog growing, stuck jobs).
-- Run: psql "$DATABASE_URL" -f ops/sql/queues.sql
select 'webhook backlog' as what, count(*) as items, now() - min(received_at) as oldest
  from plugin_deliveries where status = 'queued';
select 'webhook deliveries failed for good' as what, count(*) as items, now() - min(received_at) as oldest
  from plugin_deliveries where status = 'failed' and not retrying;
select name as queue, state, count(*) as jobs,
       now() - min(case when state = 'active' then started_on else created_on end) as oldest
  from pgboss.job where state < 'completed' group by name, state order by name, state;
