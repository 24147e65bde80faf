/**
 * Drill: the monitoring that ships in ops/monitoring/ watches metrics a running server really exports.
 * Every metric name in the Prometheus alert rules and the Grafana dashboard must appear on /metrics
 * (RUNBOOK.md, "Monitoring"), so a renamed metric cannot silently blind an alert.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixtureText, install, postHook, sign } from '../../server/plugin-host/test-tools.ts';
import { eventually, startServer, type TestServer } from '../harness.ts';

/** Series Prometheus makes itself for every scrape target, not the server. */
const FROM_PROMETHEUS = new Set(['up']);

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/** The metric names a PromQL expression reads (functions, labels, keywords, strings and durations left out). */
function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ') // label values and strings
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // grouping labels
    .replace(/\[[^\]]*\]/g, ' ') // range selectors
    .replace(/\b[a-zA-Z_][a-zA-Z0-9_]*\s*\(/g, '('); // function calls and aggregations
  const names = stripped.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  return [...new Set(names.filter((n) => !KEYWORDS.has(n.toLowerCase())))];
}

function alertExpressions(file: string): { name: string; expr: string }[] {
  const doc = parse(readFileSync(file, 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
  return doc.groups.flatMap((g) => g.rules.map((r) => ({ name: r.alert, expr: String(r.expr) })));
}

function dashboardExpressions(file: string): { name: string; expr: string }[] {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as {
    panels: { title: string; targets: { expr: string }[] }[];
  };
  return doc.panels.flatMap((p) => p.targets.map((t) => ({ name: p.title, expr: t.expr })));
}

/** Metric names on a /metrics page: each `# TYPE` line's name and each sample's name. */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) /.exec(line);
    if (type) names.add(type[1]!);
    else if (line && !line.startsWith('#')) names.add(line.split(/[{ ]/)[0]!);
  }
  return names;
}

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

describe('monitoring files against a running server', () => {
  it('reads metric names out of PromQL, leaving functions, labels and keywords aside', () => {
    expect(
      metricNamesIn(
        'sum by (le) (rate(a_bucket{status=~"5.."}[5m])) / on (x) group_left sum(b_total) > 0.05 and c',
      ).sort(),
    ).toEqual(['a_bucket', 'b_total', 'c']);
  });

  it('every metric the alert rules and the dashboard use is exported on /metrics', async () => {
    // Traffic first, so labelled series (webhooks, jobs) have samples as they do in production.
    const board = await server.admin.createBoard('Monitored');
    const hook = await install(server.admin, board.id, 'generic-ci');
    const body = fixtureText('generic-ci', 'failed');
    expect((await postHook(server.baseUrl, hook.inboundUrl, body, sign.bearer(hook.secret))).status).toBe(
      202,
    );
    await eventually(async () => (await server.admin.cards(board.id)).length === 1, 10_000);

    const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
    const exported = exportedNames(text);
    const used = [
      ...alertExpressions('ops/monitoring/alerts.yml'),
      ...dashboardExpressions('ops/monitoring/grafana-dashboard.json'),
    ];
    expect(used.length).toBeGreaterThan(20);
    const missing = used.flatMap(({ name, expr }) =>
      metricNamesIn(expr)
        .filter((m) => !exported.has(m) && !FROM_PROMETHEUS.has(m))
        .map((m) => `${name}: ${m}`),
    );
    expect(missing).toEqual([]);
  });

  it('the host alerts use node_exporter metrics only (Blendboard cannot see its disks)', () => {
    const names = alertExpressions('ops/monitoring/host-alerts.yml').flatMap((r) => metricNamesIn(r.expr));
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !n.startsWith('node_'))).toEqual([]);
  });

  it('the queue gauges and the version are read live: database up, backlog and jobs counted', async () => {
    const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
    expect(text).toMatch(/^blendboard_database_up 1$/m);
    expect(text).toMatch(/^blendboard_webhook_backlog_deliveries \d+$/m);
    expect(text).toMatch(/^blendboard_webhook_backlog_oldest_age_seconds [\d.e+-]+$/m);
    expect(text).toMatch(/^blendboard_build_info\{version="\d+\.\d+\.\d+",node="v\d+/m);
    expect(text).toMatch(/^# TYPE blendboard_queue_jobs gauge$/m);
    expect(text).toMatch(/^# TYPE blendboard_moves_shed_total counter$/m);
  });
});
