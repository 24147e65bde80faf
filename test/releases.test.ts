/** Releases through the HTTP API against real PostgreSQL: plan, scope, the path, the gate, go-live. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardEvent } from '../protocol/model.ts';
import type { Release } from '../protocol/releases.ts';
import { type ApiClient, memberWithRole, startServer, type TestServer } from './harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

interface Team {
  boardId: string;
  po: ApiClient;
  ams: ApiClient;
  dev: ApiClient;
  viewer: ApiClient;
}

async function team(): Promise<Team> {
  const boardId = (await server.admin.createBoard('Release train')).id;
  const [po, ams, dev, viewer] = await Promise.all([
    memberWithRole(server, boardId, 'product_owner'),
    memberWithRole(server, boardId, 'maintenance'),
    memberWithRole(server, boardId, 'developer'),
    memberWithRole(server, boardId, 'viewer'),
  ]);
  return { boardId, po, ams, dev, viewer };
}

const path = (t: Team, r?: Release, rest = '') =>
  `/api/boards/${t.boardId}/releases${r ? `/${r.id}` : ''}${rest}`;
const plan = (t: Team, version: string, extra: Record<string, unknown> = {}) =>
  t.po.ok(t.po.post<Release>(path(t), { version, stream: 'development', ...extra }));
const run = (
  t: Team,
  r: Release,
  environment: string,
  outcome: 'success' | 'failure',
  runId = `${environment}-1`,
  kind = 'deployment',
) =>
  t.dev.post<{ release: Release; duplicate: boolean }>(path(t, r, '/runs'), {
    environment,
    runId,
    kind,
    outcome,
  });
const gate = (t: Team, r: Release, environment: string) =>
  t.dev.ok(t.dev.get<{ allowed: boolean; reason?: string }>(path(t, r, `/gate?environment=${environment}`)));

async function toShadow(t: Team, r: Release): Promise<Release> {
  let last: Release = r;
  for (const env of ['test', 'system-test', 'pre-production', 'production-shadow'])
    last = (await t.dev.ok(run(t, r, env, 'success'))).release;
  return last;
}

async function readinessDone(t: Team, r: Release) {
  for (const item of r.readiness)
    await t.po.ok(t.po.post(path(t, r, '/readiness'), { key: item.key, done: true }));
}

describe('planning a release', () => {
  it('plans a release on the default path and lists the schedule by target date', async () => {
    const t = await team();
    const later = await plan(t, '2.0.0', { targetDate: '2027-03-01' });
    const sooner = await plan(t, '1.9.0', { targetDate: '2027-01-15', notes: 'Payments by card' });
    expect(sooner).toMatchObject({
      state: 'planned',
      reached: -1,
      environments: ['test', 'system-test', 'pre-production', 'production-shadow', 'live'],
      approvers: ['product_owner', 'maintenance'],
    });
    const list = await t.viewer.ok(t.viewer.get<Release[]>(path(t)));
    expect(list.map((r) => r.version)).toEqual([sooner.version, later.version]);
  });

  it('refuses bad input with a 400 naming the field, a taken version with a 409, and other roles with a 403', async () => {
    const t = await team();
    await plan(t, '1.0.0');
    const bad = [
      [{ version: '', stream: 'development' }, 'version'],
      [{ version: '1.0.1', stream: 'ops' }, 'stream'],
      [{ version: '1.0.1', stream: 'development', targetDate: '2027-02-30' }, 'targetDate'],
      [
        {
          version: '1.0.1',
          stream: 'development',
          firebreak: { environment: 'live', reason: 'x', approvers: ['product_owner'] },
        },
        'firebreak.environment',
      ],
    ] as const;
    for (const [body, field] of bad) {
      const res = await t.po.post<{ field?: string; message: string }>(path(t), body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(`${res.body.field ?? ''} ${res.body.message}`).toContain(field);
    }
    const taken = await t.po.post<{ field: string }>(path(t), { version: '1.0.0', stream: 'maintenance' });
    expect(taken).toMatchObject({ status: 409, body: { field: 'version' } });
    expect((await t.dev.post(path(t), { version: '3.0.0', stream: 'development' })).status).toBe(403);
    expect((await t.viewer.post(path(t), { version: '3.0.0', stream: 'development' })).status).toBe(403);
    const list = await t.po.ok(t.po.get<Release[]>(path(t)));
    expect(list).toHaveLength(1);
  });

  it('puts cards in scope, one release per card, and records each change as a board event', async () => {
    const t = await team();
    const a = await t.po.createCard(t.boardId, { title: 'Pay by card' });
    const b = await t.po.createCard(t.boardId, { title: 'Refunds' });
    const r1 = await plan(t, '1.0.0');
    const r2 = await plan(t, '1.1.0');
    const scoped = await t.po.ok(t.po.post<Release>(path(t, r1, '/scope'), { add: [a.id, b.id] }));
    expect(scoped.cardIds.sort()).toEqual([a.id, b.id].sort());
    const elsewhere = await t.po.post<{ field: string }>(path(t, r2, '/scope'), { add: [b.id] });
    expect(elsewhere).toMatchObject({ status: 409, body: { field: 'add[0]' } });
    const unknown = await t.po.post<{ field: string }>(path(t, r2, '/scope'), { add: [crypto.randomUUID()] });
    expect(unknown).toMatchObject({ status: 400, body: { field: 'add[0]' } });
    const events = await t.po.ok(t.po.get<BoardEvent[]>(`/api/boards/${t.boardId}/events?after=0`));
    const kinds = events.filter((e) => e.type.startsWith('release.')).map((e) => e.type);
    expect(kinds).toEqual(['release.created', 'release.created', 'release.updated']);
  });
});

describe('the path to live', () => {
  it('moves along the path in order; a failed check stops the line, the gate and promotion refuse naming the run, a re-run lifts it', async () => {
    const t = await team();
    const r = await plan(t, '1.0.0');
    expect(await gate(t, r, 'system-test')).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('test first'),
    });
    await t.dev.ok(run(t, r, 'test', 'success'));
    const stopped = await t.dev.ok(run(t, r, 'system-test', 'failure', 'pipeline-77', 'check'));
    expect(stopped.release).toMatchObject({
      state: 'stopped',
      stop: { environment: 'system-test', runId: 'pipeline-77' },
    });
    expect(await gate(t, r, 'pre-production')).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('pipeline-77'),
    });
    expect(await gate(t, r, 'system-test')).toMatchObject({ allowed: true });
    const promoted = await run(t, r, 'pre-production', 'success');
    expect(promoted.status).toBe(409);
    expect(JSON.stringify(promoted.body)).toContain('pipeline-77');

    // the stop raised one defect on the backlog, in the release's scope and stream, naming the run
    const defects = (await t.po.cards(t.boardId)).filter((c) => c.type === 'defect_automated');
    expect(defects).toHaveLength(1);
    expect(defects[0]).toMatchObject({ stream: 'development', priority: 'high', columnId: null });
    expect(defects[0]!.title).toContain('pipeline-77');
    expect(stopped.release.cardIds).toContain(defects[0]!.id);
    // a further failure there is a comment on that defect, not a second one
    await t.dev.ok(run(t, r, 'system-test', 'failure', 'pipeline-77b', 'check'));
    expect((await t.po.cards(t.boardId)).filter((c) => c.type === 'defect_automated')).toHaveLength(1);
    const comments = await t.po.ok(
      t.po.get<{ body: string }[]>(`/api/boards/${t.boardId}/cards/${defects[0]!.id}/comments`),
    );
    expect(comments.map((c) => c.body)).toEqual([expect.stringContaining('pipeline-77b')]);

    const resumed = await t.dev.ok(run(t, r, 'system-test', 'success', 'pipeline-78'));
    expect(resumed.release).toMatchObject({ state: 'on_path', stop: null, reached: 1 });
    // the same report delivered twice is recorded once
    const again = await t.dev.ok(run(t, r, 'system-test', 'success', 'pipeline-78'));
    expect(again).toMatchObject({ duplicate: true, release: { revision: resumed.release.revision } });
  });

  it('holds the release at its firebreak until manual tests pass and the named parties approve', async () => {
    const t = await team();
    const r = await plan(t, '1.0.0', {
      firebreak: {
        environment: 'pre-production',
        reason: 'schema change',
        approvers: ['product_owner', 'maintenance'],
      },
    });
    for (const env of ['test', 'system-test', 'pre-production']) await t.dev.ok(run(t, r, env, 'success'));
    expect(await gate(t, r, 'production-shadow')).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('firebreak'),
    });
    await t.dev.ok(t.dev.post(path(t, r, '/firebreak/tests'), { name: 'migration rehearsal', passed: true }));
    expect((await t.dev.post(path(t, r, '/firebreak/approve'))).status).toBe(403);
    await t.po.ok(t.po.post(path(t, r, '/firebreak/approve')));
    expect(await gate(t, r, 'production-shadow')).toMatchObject({ allowed: false });
    const open = await t.ams.ok(t.ams.post<Release>(path(t, r, '/firebreak/approve')));
    expect(open.state).toBe('on_path');
    expect(await gate(t, r, 'production-shadow')).toMatchObject({ allowed: true });
  });
});

describe('go / no-go', () => {
  it('is refused to a developer always and to whoever worked on the release; goes live on the policy’s approvals with readiness complete', async () => {
    const t = await team();
    const authoredByPo = await t.po.createCard(t.boardId, { title: 'Checkout' });
    const r = await plan(t, '1.0.0');
    await t.po.ok(t.po.post(path(t, r, '/scope'), { add: [authoredByPo.id] }));
    const shadow = await toShadow(t, r);
    expect(shadow.state).toBe('awaiting_go');

    const byDev = await t.dev.post<{ error: string }>(path(t, r, '/verdicts'), { verdict: 'go', reason: '' });
    expect(byDev.status).toBe(403);
    const byAuthor = await t.po.post<{ field: string }>(path(t, r, '/verdicts'), {
      verdict: 'go',
      reason: '',
    });
    expect(byAuthor).toMatchObject({ status: 409, body: { field: 'userId' } });

    const otherPo = await memberWithRole(server, t.boardId, 'product_owner', 'po2');
    await readinessDone(t, shadow);
    const first = await otherPo.ok(
      otherPo.post<Release>(path(t, r, '/verdicts'), { verdict: 'go', reason: 'demoed' }),
    );
    expect(first.state).toBe('awaiting_go');
    const last = await t.ams.ok(
      t.ams.post<Release>(path(t, r, '/verdicts'), { verdict: 'go', reason: 'runbook read' }),
    );
    expect(last).toMatchObject({ state: 'live', reached: 4 });
    expect(last.verdicts.map((v) => [v.role, v.verdict])).toEqual([
      ['product_owner', 'go'],
      ['maintenance', 'go'],
    ]);
    expect(last.liveAt).not.toBeNull();
  });

  it('a no-go keeps the release on the shadow and needs a reason', async () => {
    const t = await team();
    const r = await toShadow(t, await plan(t, '1.0.0'));
    expect(await t.ams.post(path(t, r, '/verdicts'), { verdict: 'no_go', reason: ' ' })).toMatchObject({
      status: 400,
      body: { field: 'reason' },
    });
    const no = await t.ams.ok(
      t.ams.post<Release>(path(t, r, '/verdicts'), { verdict: 'no_go', reason: 'alerts missing' }),
    );
    expect(no.state).toBe('awaiting_go');
    await readinessDone(t, no);
    const po = await t.po.ok(t.po.post<Release>(path(t, r, '/verdicts'), { verdict: 'go', reason: '' }));
    expect(po.state).toBe('awaiting_go');
  });
});

describe('races against real PostgreSQL', () => {
  it('two last go verdicts at once record one go-live', { timeout: 120_000 }, async () => {
    const t = await team();
    const ams2 = await memberWithRole(server, t.boardId, 'maintenance', 'ams2');
    for (let round = 0; round < 5; round++) {
      const r = await toShadow(t, await plan(t, `1.0.${round}`));
      await readinessDone(t, r);
      await t.po.ok(t.po.post(path(t, r, '/verdicts'), { verdict: 'go', reason: '' }));
      // both AMS members give the last go at once: one takes it live, the other is told it is live
      const answers = await Promise.all(
        [t.ams, ams2].map((c) => c.post<Release>(path(t, r, '/verdicts'), { verdict: 'go', reason: '' })),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
      const events = await t.po.ok(t.po.get<BoardEvent[]>(`/api/boards/${t.boardId}/events?after=0`));
      const live = events.filter(
        (e) => e.type === 'release.updated' && e.payload.release.id === r.id && e.payload.change === 'live',
      );
      expect(live).toHaveLength(1);
    }
  });

  it('a promotion racing a failure report never leaves a stopped release promoted', {
    timeout: 120_000,
  }, async () => {
    const t = await team();
    for (let round = 0; round < 10; round++) {
      const r = await plan(t, `2.0.${round}`);
      await t.dev.ok(run(t, r, 'test', 'success'));
      const [promote, fail] = await Promise.all([
        run(t, r, 'system-test', 'success', 'promote'),
        run(t, r, 'test', 'failure', 'late-failure', 'check'),
      ]);
      expect(fail.status).toBe(200);
      const now = await t.po.ok(t.po.get<Release>(path(t, r)));
      expect(now.state).toBe('stopped');
      // promoted first and then stopped, or refused: either way it is stopped, never promoted past the stop
      if (promote.status === 200) expect(now.reached).toBe(1);
      else expect(now.reached).toBe(0);
      expect(await gate(t, r, 'pre-production')).toMatchObject({ allowed: false });
    }
  });
});
