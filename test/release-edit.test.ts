/**
 * Editing a release before go-live, cancelling it, its notes generated from the scope, and cards that
 * join a release as they are created: through the HTTP API against real PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardEvent, Card } from '../protocol/model.ts';
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
}

async function team(): Promise<Team> {
  const boardId = (await server.admin.createBoard('Release edits')).id;
  const [po, ams, dev] = await Promise.all([
    memberWithRole(server, boardId, 'product_owner'),
    memberWithRole(server, boardId, 'maintenance'),
    memberWithRole(server, boardId, 'developer'),
  ]);
  return { boardId, po, ams, dev };
}

const path = (t: Team, r?: Release, rest = '') =>
  `/api/boards/${t.boardId}/releases${r ? `/${r.id}` : ''}${rest}`;
const plan = (t: Team, version: string, extra: Record<string, unknown> = {}) =>
  t.po.ok(t.po.post<Release>(path(t), { version, stream: 'development', ...extra }));
const releaseEvents = async (t: Team) =>
  (await t.po.ok(t.po.get<BoardEvent[]>(`/api/boards/${t.boardId}/events?after=0`))).filter(
    (e) => e.type === 'release.updated',
  );

/** Takes a release live: the path, the readiness checklist, and go verdicts from people who did not work on it. */
async function goLive(t: Team, r: Release): Promise<Release> {
  for (const environment of ['test', 'system-test', 'pre-production', 'production-shadow'])
    await t.dev.ok(
      t.dev.post(path(t, r, '/runs'), {
        environment,
        runId: `${environment}-go`,
        kind: 'deployment',
        outcome: 'success',
      }),
    );
  const now = await t.po.ok(t.po.get<Release>(path(t, r)));
  for (const item of now.readiness)
    await t.po.ok(t.po.post(path(t, r, '/readiness'), { key: item.key, done: true }));
  await t.po.ok(t.po.post(path(t, r, '/verdicts'), { verdict: 'go', reason: 'demoed' }));
  return t.ams.ok(t.ams.post<Release>(path(t, r, '/verdicts'), { verdict: 'go', reason: 'runbook read' }));
}

describe('editing a release before go-live', () => {
  it('edits version, date, notes, what users must do and when; each edit is a release.updated event with a new revision', async () => {
    const t = await team();
    const r = await plan(t, '1.0.0', { userActions: 'Nothing yet' });
    expect(r).toMatchObject({ userActions: 'Nothing yet', changeWindow: '', cancelReason: null });
    const edited = await t.po.ok(
      t.po.patch<Release>(path(t, r), {
        revision: r.revision,
        version: '1.0.1',
        targetDate: '2027-02-01',
        notes: '## Features\n- PAY-1 Pay by card',
        userActions: 'Sign in again after the release.',
        changeWindow: 'Sat 02:00–03:00 UTC, 10 minutes downtime',
      }),
    );
    expect(edited).toMatchObject({
      version: '1.0.1',
      targetDate: '2027-02-01',
      userActions: 'Sign in again after the release.',
      changeWindow: 'Sat 02:00–03:00 UTC, 10 minutes downtime',
      revision: r.revision + 1,
    });
    expect(Date.parse(edited.updatedAt)).toBeGreaterThanOrEqual(Date.parse(r.updatedAt));
    const events = await releaseEvents(t);
    expect(events.at(-1)?.payload).toMatchObject({ change: 'edited', release: { version: '1.0.1' } });
  });

  it('refuses bad input with a 400 naming the field, a taken version with a 409, and other roles with a 403', async () => {
    const t = await team();
    await plan(t, '1.0.0');
    const r = await plan(t, '2.0.0');
    const bad = [
      [{ targetDate: '2027-02-30' }, 'targetDate'],
      [{ version: '' }, 'version'],
      [{ changeWindow: 'x'.repeat(201) }, 'changeWindow'],
      [{ cancel: { reason: ' ' } }, 'cancel.reason'],
      [{ state: 'live' }, 'state'],
      [{}, 'body'],
    ] as const;
    for (const [body, field] of bad)
      expect(await t.po.patch(path(t, r), body), field).toMatchObject({ status: 400, body: { field } });
    expect(await t.po.patch(path(t, r), { version: '1.0.0' })).toMatchObject({
      status: 409,
      body: { field: 'version' },
    });
    expect((await t.dev.patch(path(t, r), { notes: 'x' })).status).toBe(403);
    expect((await t.ams.patch(path(t, r), { notes: 'x' })).status).toBe(403);
    expect(await t.po.ok(t.po.get<Release>(path(t, r)))).toEqual(r);
  });

  it('cancels with a reason; a cancelled or live release is not edited (409 naming the field)', async () => {
    const t = await team();
    const r = await plan(t, '1.0.0');
    const cancelled = await t.po.ok(
      t.po.patch<Release>(path(t, r), { cancel: { reason: 'Merged into 1.1' } }),
    );
    expect(cancelled).toMatchObject({ state: 'cancelled', cancelReason: 'Merged into 1.1' });
    expect((await releaseEvents(t)).at(-1)?.payload.change).toBe('cancelled');
    expect(await t.po.patch(path(t, r), { notes: 'x' })).toMatchObject({
      status: 409,
      body: { field: 'notes' },
    });

    const live = await goLive(t, await plan(t, '2.0.0'));
    expect(live.state).toBe('live');
    expect(await t.po.patch(path(t, live), { targetDate: '2027-01-01' })).toMatchObject({
      status: 409,
      body: { field: 'targetDate' },
    });
    expect(await t.po.patch(path(t, live), { cancel: { reason: 'oops' } })).toMatchObject({
      status: 409,
      body: { field: 'cancel' },
    });
    expect(await t.po.post(path(t, live, '/notes/generate'))).toMatchObject({
      status: 409,
      body: { field: 'notes' },
    });
    expect(await t.po.ok(t.po.get<Release>(path(t, live)))).toEqual(live);
  });

  it('refuses an edit made on an older revision, by body or If-Match', async () => {
    const t = await team();
    const r = await plan(t, '1.0.0');
    await t.po.ok(t.po.patch(path(t, r), { revision: r.revision, notes: 'first' }));
    expect(await t.po.patch(path(t, r), { revision: r.revision, notes: 'second' })).toMatchObject({
      status: 409,
      body: { error: 'STALE_VERSION', field: 'revision', revision: r.revision + 1 },
    });
    const stale = await t.po.request(
      'PATCH',
      path(t, r),
      { notes: 'third' },
      { 'if-match': `"${r.revision}"` },
    );
    expect(stale).toMatchObject({ status: 409, body: { field: 'revision' } });
    const fresh = await t.po.request<Release>(
      'PATCH',
      path(t, r),
      { notes: 'third' },
      { 'if-match': `"${r.revision + 1}"` },
    );
    expect(fresh).toMatchObject({ status: 200, body: { notes: 'third' } });
    const garbled = await t.po.request('PATCH', path(t, r), { notes: 'x' }, { 'if-match': 'yesterday' });
    expect(garbled).toMatchObject({ status: 400, body: { field: 'If-Match' } });
  });

  it('two edits on the same revision at once: one wins, the other is told the release changed', {
    timeout: 120_000,
  }, async () => {
    const t = await team();
    const po2 = await memberWithRole(server, t.boardId, 'product_owner', 'po2');
    for (let round = 0; round < 8; round++) {
      const r = await plan(t, `3.0.${round}`);
      const answers = await Promise.all(
        [t.po, po2].map((c, i) =>
          c.patch<Release>(path(t, r), { revision: r.revision, notes: `editor ${i}` }),
        ),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
      const winner = answers.find((a) => a.status === 200)!.body;
      const now = await t.po.ok(t.po.get<Release>(path(t, r)));
      expect(now).toMatchObject({ notes: winner.notes, revision: r.revision + 1 });
    }
  });
});

describe('release notes from the scope', () => {
  it('previews Markdown grouped by kind, writes it into the notes, and the notes stay editable', async () => {
    const t = await team();
    const story = await t.po.createCard(t.boardId, { title: 'Pay by card', type: 'story' });
    const defect = await t.po.createCard(t.boardId, { title: 'Refund <b>twice</b>', type: 'defect_manual' });
    const incident = await t.po.createCard(t.boardId, { title: 'Checkout down', type: 'incident' });
    const r = await plan(t, '1.0.0');
    await t.po.ok(t.po.post(path(t, r, '/scope'), { add: [story.id, defect.id, incident.id] }));

    const preview = await t.dev.get<string>(path(t, r, '/notes.md'));
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-type')).toMatch(/^text\/markdown/);
    expect(preview.body).toBe(
      [
        '## Features and stories',
        '',
        `- ${story.key} Pay by card`,
        '',
        '## Defects fixed',
        '',
        `- ${defect.key} Refund \\<b\\>twice\\</b\\>`,
        '',
        '## Incidents and problems resolved',
        '',
        `- ${incident.key} Checkout down`,
        '',
      ].join('\n'),
    );
    expect((await t.dev.post(path(t, r, '/notes/generate'))).status).toBe(403);
    const generated = await t.po.ok(t.po.post<Release>(path(t, r, '/notes/generate')));
    expect(generated.notes).toBe(preview.body);
    expect((await releaseEvents(t)).at(-1)?.payload.change).toBe('notes');
    const edited = await t.po.ok(
      t.po.patch<Release>(path(t, r), { notes: `${generated.notes}\nThanks to the AMS team.` }),
    );
    expect(edited.notes).toContain('Thanks to the AMS team.');
  });
});

describe('tickets raised later join the release', () => {
  it('a ticket raised from the defect that stopped the line joins the release, linked to the defect', async () => {
    const t = await team();
    const r = await plan(t, '1.0.0');
    const stopped = await t.dev.ok(
      t.dev.post<{ release: Release }>(path(t, r, '/runs'), {
        environment: 'test',
        runId: 'ci-9',
        kind: 'check',
        outcome: 'failure',
      }),
    );
    const defect = (await t.po.cards(t.boardId)).find((c) => c.type === 'defect_automated')!;
    expect(stopped.release.cardIds).toEqual([defect.id]);

    const fix = await t.dev.createCard(t.boardId, {
      title: 'Index the payments table',
      raisedFrom: defect.id,
    });
    const now = await t.po.ok(t.po.get<Release>(path(t, r)));
    expect(now.cardIds).toEqual([defect.id, fix.id]);
    expect(now.revision).toBe(stopped.release.revision + 1);
    const events = (await t.po.ok(t.po.get<BoardEvent[]>(`/api/boards/${t.boardId}/events?after=0`))).slice(
      -3,
    );
    expect(events.map((e) => e.type)).toEqual(['card.created', 'card.linked', 'release.updated']);
    expect(events[1]!.payload).toMatchObject({ cardId: fix.id, linkedCardId: defect.id, kind: 'relates_to' });
    expect(events[2]!.payload).toMatchObject({ change: 'scope', release: { id: r.id } });
    // and a ticket raised from that ticket joins as well
    const next = await t.dev.createCard(t.boardId, { title: 'Backfill the index', raisedFrom: fix.id });
    expect((await t.po.ok(t.po.get<Release>(path(t, r)))).cardIds).toContain(next.id);
  });

  it('tickets raised while the line stops and the scope changes all join, none lost, no deadlock', {
    timeout: 120_000,
  }, async () => {
    const t = await team();
    for (let round = 0; round < 5; round++) {
      const seed = await t.po.createCard(t.boardId, { title: `Seed ${round}` });
      const extra = await t.po.createCard(t.boardId, { title: `Extra ${round}` });
      const r = await plan(t, `5.0.${round}`, { targetDate: null });
      await t.po.ok(t.po.post(path(t, r, '/scope'), { add: [seed.id] }));
      // the card's creation locks the board, the stop and the scope change lock the release first
      const [raised, stop, scoped] = await Promise.all([
        t.dev.post<Card>(`/api/boards/${t.boardId}/cards`, {
          title: 'Raised',
          type: 'story',
          raisedFrom: seed.id,
        }),
        t.dev.post(path(t, r, '/runs'), {
          environment: 'test',
          runId: `f${round}`,
          kind: 'check',
          outcome: 'failure',
        }),
        t.po.post(path(t, r, '/scope'), { add: [extra.id] }),
      ]);
      expect([raised.status, stop.status, scoped.status]).toEqual([201, 200, 200]);
      const now = await t.po.ok(t.po.get<Release>(path(t, r)));
      expect(now.cardIds).toEqual(expect.arrayContaining([seed.id, extra.id, raised.body.id]));
      expect(now.cardIds).toHaveLength(4); // and the defect the stop raised
    }
  });

  it('a ticket raised from a card of a live or cancelled release is linked but joins nothing', async () => {
    const t = await team();
    const card = await t.po.createCard(t.boardId, { title: 'Shipped' });
    const r = await plan(t, '1.0.0');
    await t.po.ok(t.po.post(path(t, r, '/scope'), { add: [card.id] }));
    await t.po.ok(t.po.patch(path(t, r), { cancel: { reason: 'dropped' } }));
    const later = await t.dev.createCard(t.boardId, { title: 'Follow-up', raisedFrom: card.id });
    expect((await t.po.ok(t.po.get<Release>(path(t, r)))).cardIds).toEqual([card.id]);
    const events = await t.po.ok(t.po.get<BoardEvent[]>(`/api/boards/${t.boardId}/events?after=0`));
    expect(events.some((e) => e.type === 'card.linked' && e.cardId === later.id)).toBe(true);
  });

  it('a card created with releaseId goes straight into the release (release managers only, not once live)', async () => {
    const t = await team();
    const r = await plan(t, '1.0.0');
    const card = await t.po.createCard(t.boardId, { title: 'Late addition', releaseId: r.id });
    expect((await t.po.ok(t.po.get<Release>(path(t, r)))).cardIds).toEqual([card.id]);

    const before = (await t.po.cards(t.boardId)).length;
    const byDev = await t.dev.post(`/api/boards/${t.boardId}/cards`, {
      title: 'x',
      type: 'story',
      releaseId: r.id,
    });
    expect(byDev.status).toBe(403);
    const unknown = await t.po.post(`/api/boards/${t.boardId}/cards`, {
      title: 'x',
      type: 'story',
      releaseId: crypto.randomUUID(),
    });
    expect(unknown).toMatchObject({ status: 400, body: { field: 'releaseId' } });
    const fromNowhere = await t.po.post(`/api/boards/${t.boardId}/cards`, {
      title: 'x',
      type: 'story',
      raisedFrom: crypto.randomUUID(),
    });
    expect(fromNowhere).toMatchObject({ status: 400, body: { field: 'raisedFrom' } });
    const live = await goLive(t, await plan(t, '2.0.0'));
    const intoLive = await t.po.post(`/api/boards/${t.boardId}/cards`, {
      title: 'x',
      type: 'story',
      releaseId: live.id,
    });
    expect(intoLive).toMatchObject({ status: 409, body: { field: 'releaseId' } });
    // nothing of the refused creations was kept
    expect((await t.po.cards(t.boardId)).length).toBe(before);
    const cards: Card[] = await t.po.cards(t.boardId);
    expect(cards.filter((c) => c.title === 'x')).toEqual([]);
  });
});
