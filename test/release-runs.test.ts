/**
 * A release's runs and its shadow (issue 16): the deployments and checks reported per environment, who
 * or which plugin reported each, the shadow's hidden URL from the tool's environment URL or set by
 * hand, tag and commit edited before go-live, and tickets raised later joining the release (the
 * stop-the-line defect, a plugin's ticket naming the release). Through the HTTP API and the plugin
 * host's inbound URLs against real PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardEvent, Card } from '../protocol/model.ts';
import type { DeliverySummary, InstallationWithSecret } from '../protocol/plugin.ts';
import type { Release, ReleaseRuns } from '../protocol/releases.ts';
import {
  deliveries,
  delivery,
  fixtureText,
  install,
  postHook,
  sign,
} from '../server/plugin-host/test-tools.ts';
import { type ApiClient, eventually, memberWithRole, startServer, type TestServer } from './harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

interface Team {
  boardId: string;
  po: ApiClient;
  dev: ApiClient;
}

async function team(name: string): Promise<Team> {
  const boardId = (await server.admin.createBoard(name)).id;
  const [po, dev] = await Promise.all([
    memberWithRole(server, boardId, 'product_owner'),
    memberWithRole(server, boardId, 'developer', 'dana'),
  ]);
  return { boardId, po, dev };
}

const path = (t: Team, r?: { id: string }, rest = '') =>
  `/api/boards/${t.boardId}/releases${r ? `/${r.id}` : ''}${rest}`;
const plan = (t: Team, version: string, extra: Record<string, unknown> = {}) =>
  t.po.ok(t.po.post<Release>(path(t), { version, stream: 'development', ...extra }));
const report = (t: Team, r: Release, body: Record<string, unknown>) =>
  t.dev.ok(t.dev.post<{ release: Release; duplicate: boolean }>(path(t, r, '/runs'), body));
const runsOf = (t: Team, r: Release, client = t.po) =>
  client.ok(client.get<ReleaseRuns>(path(t, r, '/runs')));
const events = async (t: Team) => t.po.ok(t.po.get<BoardEvent[]>(`/api/boards/${t.boardId}/events?after=0`));
const releaseNow = (t: Team, r: Release) => t.po.ok(t.po.get<Release>(path(t, r)));

async function processed(t: Team, inst: InstallationWithSecret, count: number): Promise<DeliverySummary[]> {
  return eventually(async () => {
    const page = await deliveries(server.admin, t.boardId, inst.id);
    const done = page.items.filter((d) => d.status === 'processed' || d.status === 'rejected');
    return done.length >= count ? page.items : null;
  }, 15_000);
}

describe('the runs of a release', () => {
  it('lists each deployment and check in the order recorded, with who reported it; the report event carries its run', async () => {
    const t = await team('Runs listed');
    const r = await plan(t, '2.0.0');
    expect(await runsOf(t, r)).toEqual({ releaseId: r.id, runs: [] });
    await report(t, r, {
      environment: 'test',
      runId: 'deploy-1',
      kind: 'deployment',
      outcome: 'success',
      url: 'https://ci.example.com/1',
    });
    await report(t, r, {
      environment: 'test',
      runId: 'e2e-1',
      kind: 'check',
      check: 'smoke',
      outcome: 'failure',
      url: 'https://ci.example.com/e2e/1',
    });
    // the same report again is recorded once
    expect(
      (await report(t, r, { environment: 'test', runId: 'deploy-1', kind: 'deployment', outcome: 'success' }))
        .duplicate,
    ).toBe(true);

    const { runs } = await runsOf(t, r);
    const dana = t.dev.userId!;
    expect(runs).toEqual([
      {
        id: expect.any(String),
        environment: 'test',
        kind: 'deployment',
        check: null,
        runId: 'deploy-1',
        outcome: 'success',
        url: 'https://ci.example.com/1',
        environmentUrl: null,
        reportedAt: expect.any(String),
        reportedBy: { userId: dana, name: expect.stringMatching(/^dana /) },
        plugin: null,
      },
      expect.objectContaining({ kind: 'check', check: 'smoke', runId: 'e2e-1', outcome: 'failure' }),
    ]);
    // Every member reads them (a viewer too).
    const viewer = await memberWithRole(server, t.boardId, 'viewer');
    expect((await runsOf(t, r, viewer)).runs).toHaveLength(2);

    const reported = (await events(t)).filter(
      (e): e is Extract<BoardEvent, { type: 'release.updated' }> =>
        e.type === 'release.updated' && e.payload.run !== undefined,
    );
    expect(reported.map((e) => [e.payload.change, e.payload.run])).toEqual([
      ['deployed', runs[0]],
      ['stopped', runs[1]],
    ]);
  });

  it('a release on another board or none at all is a 404; a malformed id a 400 naming it', async () => {
    const t = await team('Runs elsewhere');
    const r = await plan(t, '2.1.0');
    const other = await team('Runs other board');
    expect((await other.po.get(`/api/boards/${other.boardId}/releases/${r.id}/runs`)).status).toBe(404);
    expect((await t.po.get(path(t, { id: crypto.randomUUID() }, '/runs'))).status).toBe(404);
    const bad = await t.po.get(path(t, { id: 'not-a-uuid' }, '/runs'));
    expect(bad).toMatchObject({ status: 400, body: { field: 'releaseId' } });
  });

  it('records the shadow URL from a successful shadow deployment’s environment URL, never from the run’s log or elsewhere', async () => {
    const t = await team('Shadow URL');
    const r = await plan(t, '2.2.0');
    for (const environment of ['test', 'system-test'])
      await report(t, r, {
        environment,
        runId: `d-${environment}`,
        kind: 'deployment',
        outcome: 'success',
        environmentUrl: `https://${environment}.example.com`,
      });
    expect((await releaseNow(t, r)).shadowUrl).toBeNull();
    await report(t, r, {
      environment: 'pre-production',
      runId: 'd-pp',
      kind: 'deployment',
      outcome: 'success',
    });
    // a log link alone is not where the shadow answers
    await report(t, r, {
      environment: 'production-shadow',
      runId: 'd-shadow-1',
      kind: 'deployment',
      outcome: 'success',
      url: 'https://ci.example.com/logs/9',
    });
    expect((await releaseNow(t, r)).shadowUrl).toBeNull();
    const { release } = await report(t, r, {
      environment: 'production-shadow',
      runId: 'd-shadow-2',
      kind: 'deployment',
      outcome: 'success',
      url: 'https://ci.example.com/logs/10',
      environmentUrl: 'https://shadow-2-2-0.example.com',
    });
    expect(release).toMatchObject({ state: 'awaiting_go', shadowUrl: 'https://shadow-2-2-0.example.com' });
    const shadowRuns = (await runsOf(t, r)).runs.filter((x) => x.environment === 'production-shadow');
    expect(shadowRuns.map((x) => [x.runId, x.url, x.environmentUrl])).toEqual([
      ['d-shadow-1', 'https://ci.example.com/logs/9', null],
      ['d-shadow-2', 'https://ci.example.com/logs/10', 'https://shadow-2-2-0.example.com'],
    ]);
    // Only http(s) addresses: the page links to it.
    const script = await t.dev.post(path(t, r, '/runs'), {
      environment: 'production-shadow',
      runId: 'd-shadow-3',
      kind: 'deployment',
      outcome: 'success',
      environmentUrl: 'javascript:alert(1)',
    });
    expect(script).toMatchObject({ status: 400, body: { field: 'environmentUrl' } });
  });

  it('a real-format GitHub deployment_status: the run names its plugin, the shadow URL is environment_url', async () => {
    const t = await team('GitHub shadow');
    const r = await plan(t, '2.4.0', { tag: 'v2.4.0' });
    for (const environment of ['test', 'system-test', 'pre-production'])
      await report(t, r, { environment, runId: `d-${environment}`, kind: 'deployment', outcome: 'success' });
    const inst = await install(server.admin, t.boardId, 'github-deployments');
    const body = fixtureText('github-deployments', 'deployment_status.production.success');
    await postHook(
      server.baseUrl,
      inst.inboundUrl,
      body,
      sign.github(inst.secret, body, 'deployment_status'),
    );
    await processed(t, inst, 1);
    expect(await releaseNow(t, r)).toMatchObject({
      state: 'awaiting_go',
      shadowUrl: 'https://shadow.payments.acme.example',
    });
    const last = (await runsOf(t, r)).runs.at(-1);
    expect(last).toMatchObject({
      environment: 'production-shadow',
      kind: 'deployment',
      outcome: 'success',
      url: 'https://github.com/acme/payments-api/actions/runs/7702154521/job/21002',
      environmentUrl: 'https://shadow.payments.acme.example',
      reportedBy: null,
      plugin: 'github-deployments',
    });
  });
});

describe('editing tag, commit and shadow URL', () => {
  it('edits them with the revision, validated as on planning; a stale revision is refused', async () => {
    const t = await team('Refs edited');
    const r = await plan(t, '3.0.0', { tag: 'v3.0.0' });
    const edited = await t.po.ok(
      t.po.patch<Release>(path(t, r), {
        revision: r.revision,
        tag: 'v3.0.1',
        commit: 'ABCDEF0123456',
        shadowUrl: 'https://shadow-3.example.com',
      }),
    );
    expect(edited).toMatchObject({
      tag: 'v3.0.1',
      commit: 'abcdef0123456',
      shadowUrl: 'https://shadow-3.example.com',
      revision: r.revision + 1,
    });
    const stale = await t.po.patch(path(t, r), { revision: r.revision, tag: 'v9' });
    expect(stale).toMatchObject({ status: 409, body: { error: 'STALE_VERSION', field: 'revision' } });
    for (const [field, value] of [
      ['tag', 'has space'],
      ['tag', ''],
      ['commit', 'xyz1234'],
      ['commit', 'abc12'],
      ['shadowUrl', 'javascript:alert(1)'],
      ['shadowUrl', 'not a url'],
    ] as const) {
      const res = await t.po.patch(path(t, r), { [field]: value });
      expect(res, `${field}=${value}`).toMatchObject({ status: 400, body: { field } });
    }
    // null clears; CI then finds the release by its commit no more, by its version written as a tag again
    const cleared = await t.po.ok(
      t.po.patch<Release>(path(t, r), { tag: null, commit: null, shadowUrl: null }),
    );
    expect(cleared).toMatchObject({ tag: null, commit: null, shadowUrl: null });
    // a developer may not
    expect((await t.dev.patch(path(t, r), { tag: 'v4' })).status).toBe(403);
    const edits = (await events(t)).filter(
      (e) => e.type === 'release.updated' && e.payload.change === 'edited',
    );
    expect(edits).toHaveLength(2);
  });

  it('a deployment finds the release by its edited tag', async () => {
    const t = await team('Tag edited');
    const r = await plan(t, '3.1.0');
    await t.po.ok(t.po.patch<Release>(path(t, r), { tag: 'payments-2026.12' }));
    const inst = await install(server.admin, t.boardId, 'generic-deployment');
    const body = JSON.stringify({
      tag: 'payments-2026.12',
      environment: 'test',
      status: 'success',
      runId: 'gen-1',
    });
    await postHook(server.baseUrl, inst.inboundUrl, body, sign.blendboard(inst.secret, body));
    await processed(t, inst, 1);
    expect((await releaseNow(t, r)).reached).toBe(0);
  });
});

describe('tickets raised later join the release', () => {
  it('the stop-the-line defect joins the scope in the stop’s transaction: its event carries the new scope', async () => {
    const t = await team('Defect joins');
    const r = await plan(t, '4.0.0');
    const { release } = await report(t, r, {
      environment: 'test',
      runId: 'd-fail',
      kind: 'deployment',
      outcome: 'failure',
    });
    const log = await events(t);
    const created = log.find(
      (e) =>
        e.type === 'card.created' && (e.payload.card.source as { kind?: string })?.kind === 'release_stop',
    ) as Extract<BoardEvent, { type: 'card.created' }>;
    const defect = created.payload.card;
    expect(release.cardIds).toEqual([defect.id]);
    const stop = log.find((e) => e.type === 'release.updated' && e.payload.change === 'stopped') as Extract<
      BoardEvent,
      { type: 'release.updated' }
    >;
    // one transaction: the card and the release's change are consecutive, the release after the card
    expect(stop.seq).toBeGreaterThan(created.seq);
    expect(stop.payload.release.cardIds).toEqual([defect.id]);
    // a further ticket raised from the defect joins too (the API path)
    const next = await t.dev.createCard(t.boardId, { title: 'Fix the migration', raisedFrom: defect.id });
    expect((await releaseNow(t, r)).cardIds).toEqual([defect.id, next.id]);
  });

  it('a plugin’s ticket naming the release joins it with a scope event; one naming a cancelled, unknown or no release joins none', async () => {
    const t = await team('Plugin ticket joins');
    const r = await plan(t, '5.0.0');
    const inst = await install(server.admin, t.boardId, 'generic-ci');
    const failed = (pipeline: string, release?: string) =>
      JSON.stringify({
        pipeline,
        branch: 'release/5.0',
        status: 'failed',
        runId: `${pipeline}-1`,
        ...(release ? { release } : {}),
      });
    const post = (body: string) =>
      postHook(server.baseUrl, inst.inboundUrl, body, sign.blendboard(inst.secret, body));

    await post(failed('payments/release', '5.0.0'));
    const [first] = await processed(t, inst, 1);
    expect((await delivery(server.admin, t.boardId, inst.id, first!.id)).results).toContainEqual(
      expect.objectContaining({
        op: 'release.join',
        result: 'updated',
        message: expect.stringMatching(/joined release 5\.0\.0$/),
      }),
    );
    const cards = await server.admin.cards(t.boardId);
    const ticket = cards.find((c) => c.title.startsWith('payments/release')) as Card;
    const now = await releaseNow(t, r);
    expect(now.cardIds).toEqual([ticket.id]);
    const scope = (await events(t)).filter(
      (e): e is Extract<BoardEvent, { type: 'release.updated' }> =>
        e.type === 'release.updated' && e.payload.change === 'scope',
    );
    expect(scope).toHaveLength(1);
    expect(scope[0]!.payload.release).toMatchObject({ cardIds: [ticket.id], revision: now.revision });
    expect(scope[0]!.actor.label).toBe('plugin:generic-ci');

    // The same failure again counts on the same ticket; the scope does not change.
    await post(failed('payments/release', '5.0.0').replace('-1"', '-2"'));
    await processed(t, inst, 2);
    expect((await releaseNow(t, r)).revision).toBe(now.revision);

    await post(failed('payments/unknown', '9.9.9'));
    await post(failed('payments/none'));
    await processed(t, inst, 4);
    expect((await releaseNow(t, r)).cardIds).toEqual([ticket.id]);
    expect((await server.admin.cards(t.boardId)).length).toBe(cards.length + 2);

    // A cancelled release takes no more tickets.
    await t.po.ok(t.po.patch(path(t, r), { cancel: { reason: 'replaced by 5.0.1' } }));
    await post(failed('payments/after-cancel', '5.0.0'));
    await processed(t, inst, 5);
    expect((await releaseNow(t, r)).cardIds).toEqual([ticket.id]);
  });
});
