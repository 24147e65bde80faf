-- Sessions that hold locks others wait for, oldest transaction first (RUNBOOK.md: webhook backlog
-- growing, stuck jobs). Run: psql "$DATABASE_URL" -f ops/sql/blockers.sql
-- End one with: select pg_terminate_backend(<pid>);
select b.pid,
       b.application_name,
       b.state,
       now() - b.xact_start as transaction_open_for,
       (select count(*) from pg_stat_activity w where b.pid = any (pg_blocking_pids(w.pid))) as sessions_waiting,
       left(b.query, 120) as last_statement
  from pg_stat_activity b
 where b.datname = current_database()
   and exists (select 1 from pg_stat_activity w where b.pid = any (pg_blocking_pids(w.pid)))
 order by b.xact_start;
