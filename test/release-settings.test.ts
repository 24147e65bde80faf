/** A board's path-to-live settings through the HTTP API against real PostgreSQL. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardEvent } from '../protocol/model.ts';
import type { Release, ReleaseSettings, ReleaseSettingsInput } from '../protocol/releases.ts';
import { type ApiClient, memberWithRole, startServer, type TestServer } from './harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

async function board() {
  const boardId = (await server.admin.createBoard('Path to live')).id;
  const [po, dev] = await Promise.all([
    memberWithRole(server, boardId, 'product_owner'),
    memberWithRole(server, boardId, 'developer'),
  ]);
  return { boardId, po, dev, url: `/api/boards/${boardId}/release-settings` };
}

const custom: ReleaseSettingsInput = {
  environments: [
    { name: 'ci', checks: ['unit', 'contract'] },
    { name: 'uat', checks: [] },
    { name: 'shadow', checks: ['smoke'] },
    { name: 'live', checks: [] },
  ],
  approvers: ['product_owner'],
  readiness: [{ key: 'runbook', label: 'Runbook updated' }],
  firebreak: { environment: 'uat', reason: 'manual regression', approvers: ['maintenance'] },
};

const plan = (c: ApiClient, boardId: string, version: string, extra: Record<string, unknown> = {}) =>
  c.ok(c.post<Release>(`/api/boards/${boardId}/releases`, { version, stream: 'development', ...extra }));

const report = (c: ApiClient, boardId: string, r: Release, body: Record<string, unknown>) =>
  c.post<{ release: Release }>(`/api/boards/${boardId}/releases/${r.id}/runs`, {
    kind: 'deployment',
    outcome: 'success',
    ...body,
  });

describe('path-to-live settings', () => {
  it('starts with the defaults, is replaced by a release manager, and applies to releases planned afterwards only', async () => {
    const { boardId, po, dev, url } = await board();
    const defaults = await dev.ok(dev.get<ReleaseSettings>(url));
    expect(defaults).toMatchObject({
      custom: false,
      firebreak: null,
      approvers: ['product_owner', 'maintenance'],
    });
    expect(defaults.environments.map((e) => e.name)).toEqual([
      'test',
      'system-test',
      'pre-production',
      'production-shadow',
      'live',
    ]);
    const before = await plan(po, boardId, '1.0.0');

    const saved = await po.ok(po.put<ReleaseSettings>(url, custom));
    expect(saved).toEqual({ ...custom, custom: true });
    expect(await dev.ok(dev.get<ReleaseSettings>(url))).toEqual(saved);

    const after = await plan(po, boardId, '1.1.0');
    expect(after).toMatchObject({
      environments: ['ci', 'uat', 'shadow', 'live'],
      checks: { ci: ['unit', 'contract'], shadow: ['smoke'] },
      approvers: ['product_owner'],
      readiness: [{ key: 'runbook', done: false }],
      firebreak: { environment: 'uat', reason: 'manual regression', approvers: ['maintenance'] },
    });
    // planned without a firebreak on purpose: null asks for none
    expect((await plan(po, boardId, '1.2.0', { firebreak: null })).firebreak).toBeNull();
    // the release planned before keeps the path it was planned with
    const kept = await po.ok(po.get<Release>(`/api/boards/${boardId}/releases/${before.id}`));
    expect(kept).toMatchObject({ environments: before.environments, checks: {}, firebreak: null });

    const events = await po.ok(po.get<BoardEvent[]>(`/api/boards/${boardId}/events?after=0`));
    const changed = events.filter((e) => e.type === 'release.settings_changed');
    expect(changed).toHaveLength(1);
    expect(changed[0]!.payload).toEqual({ settings: saved });
  });

  it('refuses bad settings with a 400 naming the field, and changes nothing', async () => {
    const { po, url } = await board();
    const bad: [Partial<ReleaseSettingsInput>, string][] = [
      [{ environments: [{ name: 'live', checks: [] }] }, 'environments'],
      [
        {
          environments: [
            { name: 'test', checks: [] },
            { name: 'test', checks: [] },
            { name: 'live', checks: [] },
          ],
        },
        'environments.1.name',
      ],
      [
        {
          environments: [
            { name: 'test', checks: [] },
            { name: 'production', checks: [] },
          ],
        },
        'environments.1.name',
      ],
      [
        {
          environments: [
            { name: 'test', checks: ['unit', 'unit'] },
            { name: 'live', checks: [] },
          ],
        },
        'environments.0.checks.1',
      ],
      [{ firebreak: { environment: 'live', reason: 'x', approvers: ['admin'] } }, 'firebreak.environment'],
      [{ approvers: ['developer'] }, 'approvers.0'],
      [{ approvers: [] }, 'approvers'],
      [
        {
          readiness: [
            { key: 'a', label: 'A' },
            { key: 'a', label: 'B' },
          ],
        },
        'readiness.1.key',
      ],
    ];
    for (const [change, field] of bad) {
      const res = await po.put<{ field: string }>(url, { ...custom, ...change });
      expect(res, field).toMatchObject({ status: 400, body: { field } });
    }
    const missing = await po.put<{ field: string }>(url, { environments: custom.environments });
    expect(missing).toMatchObject({ status: 400, body: { field: 'approvers' } });
    expect((await po.ok(po.get<ReleaseSettings>(url))).custom).toBe(false);
  });

  it('may be changed by release managers only', async () => {
    const { boardId, dev, url } = await board();
    const ams = await memberWithRole(server, boardId, 'maintenance');
    const viewer = await memberWithRole(server, boardId, 'viewer');
    for (const c of [dev, ams, viewer]) expect((await c.put(url, custom)).status).toBe(403);
    expect((await viewer.get(url)).status).toBe(200);
    expect((await server.admin.put(url, custom)).status).toBe(200);
  });
});

describe('automated checks configured on the path', () => {
  it('a release is promoted past an environment only when its checks passed; a failed check stops the line there', async () => {
    const { boardId, po, dev, url } = await board();
    await po.ok(po.put(url, { ...custom, firebreak: null }));
    const r = await plan(po, boardId, '2.0.0');
    await dev.ok(report(dev, boardId, r, { environment: 'ci', runId: 'd1' }));
    const gate = () =>
      dev.ok(
        dev.get<{ allowed: boolean; reason?: string }>(
          `/api/boards/${boardId}/releases/${r.id}/gate?environment=uat`,
        ),
      );
    expect(await gate()).toMatchObject({ allowed: false, reason: expect.stringContaining('unit, contract') });
    const early = await report(dev, boardId, r, { environment: 'uat', runId: 'd2' });
    expect(early).toMatchObject({ status: 409, body: { field: 'environment' } });

    await dev.ok(report(dev, boardId, r, { environment: 'ci', runId: 'c1', kind: 'check', check: 'unit' }));
    expect(await gate()).toMatchObject({ allowed: false, reason: expect.stringContaining('contract') });
    const failed = await dev.ok(
      report(dev, boardId, r, {
        environment: 'ci',
        runId: 'c2',
        kind: 'check',
        check: 'contract',
        outcome: 'failure',
      }),
    );
    expect(failed.release).toMatchObject({ state: 'stopped', stop: { environment: 'ci', runId: 'c2' } });
    await dev.ok(
      report(dev, boardId, r, { environment: 'ci', runId: 'c3', kind: 'check', check: 'contract' }),
    );
    expect(await gate()).toEqual({ allowed: true, environment: 'uat', state: 'on_path' });
    const promoted = await dev.ok(report(dev, boardId, r, { environment: 'uat', runId: 'd3' }));
    expect(promoted.release.reached).toBe(1);
  });
});

describe('the API document and the metrics', () => {
  it('documents the release settings, edit, notes and calendar routes', async () => {
    const doc = (await (await fetch(`${server.baseUrl}/api/docs/json`)).json()) as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>
      >;
    };
    const methods = (p: string) => Object.keys(doc.paths[p] ?? {}).sort();
    expect(methods('/api/boards/{boardId}/release-settings')).toEqual(['get', 'put']);
    expect(methods('/api/boards/{boardId}/releases/{releaseId}')).toEqual(['get', 'patch']);
    expect(methods('/api/boards/{boardId}/releases/{releaseId}/notes.md')).toEqual(['get']);
    expect(methods('/api/boards/{boardId}/releases/{releaseId}/notes/generate')).toEqual(['post']);
    expect(methods('/api/boards/{boardId}/releases/feed-token')).toEqual(['post']);
    const feed = doc.paths['/api/boards/{boardId}/releases.ics']?.get;
    expect(Object.keys(feed?.responses['200']?.content ?? {})).toEqual(['text/calendar']);
  });

  it('exports releases by state, every state present, matching the database', async () => {
    const { boardId, po } = await board();
    const r = await plan(po, boardId, '9.9.9');
    await po.ok(po.patch(`/api/boards/${boardId}/releases/${r.id}`, { cancel: { reason: 'metrics' } }));
    const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
    const exported = Object.fromEntries(
      [...text.matchAll(/^blendboard_releases\{state="(\w+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]),
    );
    const counted = await server.db
      .selectFrom('releases')
      .select(['state', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy('state')
      .execute();
    const expected = Object.fromEntries(
      ['planned', 'on_path', 'stopped', 'firebreak', 'awaiting_go', 'live', 'cancelled'].map((s) => [s, 0]),
    );
    for (const c of counted) expected[c.state] = Number(c.n);
    expect(exported).toEqual(expected);
    expect(exported.cancelled).toBeGreaterThanOrEqual(1);
  });
});
