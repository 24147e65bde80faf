/**
 * Hyper-care and handover through the HTTP API against real PostgreSQL: hyper-care starting at
 * go-live, the checklist, acceptance handing open tickets to maintenance in one event, incidents
 * routed by hyper-care (by hand and by a real-format plugin webhook), the durable window-end timer
 * across a restart, and the races (two acceptances, a link at the instant hyper-care ends).
 */

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hypercare } from '../protocol/hypercare.ts';
import type { BoardEvent, Card, Role } from '../protocol/model.ts';
import type { Release } from '../protocol/releases.ts';
import type { JoinAck } from '../protocol/socket.ts';
import { WINDOW_END_QUEUE } from '../server/hypercare/timer.ts';
import { fixtureText, install, intoActiveSprint, postHook, sign } from '../server/plugin-host/test-tools.ts';
import {
  ADMIN_PASSWORD,
  ApiClient,
  eventually,
  memberWithRole,
  socketFor,
  startServer,
  type TestServer,
} from './harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.close());

const DAY_MS = 86_400_000;
/** a window of about `s` seconds, in days */
const seconds = (s: number) => s / 86_400;

interface Team {
  boardId: string;
  po: ApiClient;
  ams: ApiClient;
  dev: ApiClient;
  viewer: ApiClient;
}

async function team(on: TestServer = server): Promise<Team> {
  const boardId = (await on.admin.createBoard('Hyper-care')).id;
  const [po, ams, dev, viewer] = await Promise.all([
    memberWithRole(on, boardId, 'product_owner'),
    memberWithRole(on, boardId, 'maintenance'),
    memberWithRole(on, boardId, 'developer'),
    memberWithRole(on, boardId, 'viewer'),
  ]);
  return { boardId, po, ams, dev, viewer };
}

const rel = (t: Team, r?: { id: string }, rest = '') =>
  `/api/boards/${t.boardId}/releases${r ? `/${r.id}` : ''}${rest}`;
const hc = (t: Team, r: { id: string }, rest = '') => rel(t, r, `/hypercare${rest}`);
let versions = 0;

/**
 * A release planned by the admin with `cards` in scope, deployed by the developer, readiness done,
 * and taken live by the product owner's and the AMS lead's go verdicts.
 */
async function goLive(
  t: Team,
  opts: { cards?: Card[]; plan?: Record<string, unknown>; on?: TestServer } = {},
): Promise<Release> {
  const admin = (opts.on ?? server).admin;
  const r = await admin.ok(
    admin.post<Release>(rel(t), { version: `1.${++versions}.0`, stream: 'development' }),
  );
  if (opts.cards?.length)
    await admin.ok(admin.post(rel(t, r, '/scope'), { add: opts.cards.map((c) => c.id) }));
  if (opts.plan) await t.po.ok(t.po.put(rel(t, r, '/hypercare-plan'), opts.plan));
  for (const environment of ['test', 'system-test', 'pre-production', 'production-shadow'])
    await t.dev.ok(
      t.dev.post(rel(t, r, '/runs'), {
        environment,
        runId: `${environment}-1`,
        kind: 'deployment',
        outcome: 'success',
      }),
    );
  for (const item of r.readiness)
    await t.po.ok(t.po.post(rel(t, r, '/readiness'), { key: item.key, done: true }));
  await t.po.ok(t.po.post(rel(t, r, '/verdicts'), { verdict: 'go', reason: 'demoed' }));
  const live = await t.ams.ok(
    t.ams.post<Release>(rel(t, r, '/verdicts'), { verdict: 'go', reason: 'runbook read' }),
  );
  expect(live.state).toBe('live');
  return live;
}

async function checklistDone(t: Team, r: Release, by = t.dev): Promise<Hypercare> {
  let h = await by.ok(by.get<Hypercare>(hc(t, r)));
  for (const item of h.checklist)
    h = await by.ok(by.post<Hypercare>(hc(t, r, '/checklist'), { key: item.key, done: true }));
  return h;
}

async function handedOver(t: Team, r: Release): Promise<Hypercare> {
  await checklistDone(t, r);
  await t.dev.ok(t.dev.post(hc(t, r, '/handover/submit'), { note: 'ready' }));
  return t.ams.ok(t.ams.post<Hypercare>(hc(t, r, '/handover/accept'), {}));
}

const events = (t: Team, c: ApiClient = t.po) =>
  c.ok(c.get<BoardEvent[]>(`/api/boards/${t.boardId}/events?after=0`));
const hypercareEvents = async (t: Team, r: Release) =>
  (await events(t)).filter(
    (e): e is Extract<BoardEvent, { type: 'hypercare.updated' }> =>
      e.type === 'hypercare.updated' && e.payload.hypercare.releaseId === r.id,
  );

describe('hyper-care starts at go-live', () => {
  it('opens the board default window, owned by the originating stream, in the go-live transaction', async () => {
    const t = await team();
    const r = await goLive(t);
    const h = await t.viewer.ok(t.viewer.get<Hypercare>(hc(t, r)));
    expect(h).toMatchObject({
      releaseId: r.id,
      version: r.version,
      state: 'active',
      ownerStream: 'development',
      handoverPoint: 'end_of_hypercare',
      handover: 'open',
    });
    expect(new Date(h.endsAt).getTime() - new Date(h.startedAt).getTime()).toBe(14 * DAY_MS);
    expect(h.checklist).toHaveLength(6);
    expect(h.decisions).toMatchObject([{ kind: 'started', by: { label: expect.any(String) } }]);
    // one commit: the hyper-care start and the release going live are consecutive events
    const all = await events(t);
    const started = all.find((e) => e.type === 'hypercare.updated')!;
    const live = all.find((e) => e.type === 'release.updated' && e.payload.change === 'live')!;
    expect(Math.abs(started.seq - live.seq)).toBe(1);
  });

  it('takes the window and handover point from the release plan, and the checklist from the board template', async () => {
    const t = await team();
    await t.po.ok(
      t.po.put(`/api/boards/${t.boardId}/hypercare-settings`, {
        windowDays: 10,
        extensionDays: 3,
        handoverPoint: 'go_live',
        checklist: [
          { key: 'runbook', label: 'Runbook updated' },
          { key: 'on-call', label: 'On-call rota includes AMS' },
        ],
      }),
    );
    const byBoard = await goLive(t);
    const byPlan = await goLive(t, { plan: { windowDays: 3, handoverPoint: 'shadow' } });
    const a = await t.po.ok(t.po.get<Hypercare>(hc(t, byBoard)));
    const b = await t.po.ok(t.po.get<Hypercare>(hc(t, byPlan)));
    expect(new Date(a.endsAt).getTime() - new Date(a.startedAt).getTime()).toBe(10 * DAY_MS);
    expect(a).toMatchObject({
      handoverPoint: 'go_live',
      checklist: [{ key: 'runbook' }, { key: 'on-call' }],
    });
    expect(new Date(b.endsAt).getTime() - new Date(b.startedAt).getTime()).toBe(3 * DAY_MS);
    expect(b.handoverPoint).toBe('shadow');
    // once live, the plan is fixed: extensions are decisions
    expect((await t.po.put(rel(t, byPlan, '/hypercare-plan'), { windowDays: 5 })).status).toBe(409);
  });

  it('has no hyper-care before go-live', async () => {
    const t = await team();
    const r = await server.admin.ok(
      server.admin.post<Release>(rel(t), { version: '0.1.0', stream: 'development' }),
    );
    expect((await t.po.get(hc(t, r))).status).toBe(404);
    expect(await t.dev.post(hc(t, r, '/checklist'), { key: 'runbook', done: true })).toMatchObject({
      status: 409,
      body: { field: 'state' },
    });
  });
});

describe('the handover', () => {
  it('is worked through by the dev team, rejected with a reason, resubmitted and accepted by the AMS lead', async () => {
    const t = await team();
    const r = await goLive(t);
    const early = await t.dev.post<{ field: string }>(hc(t, r, '/handover/submit'), {});
    expect(early).toMatchObject({ status: 409, body: { field: 'checklist' } });
    await checklistDone(t, r);
    await t.dev.ok(t.dev.post(hc(t, r, '/handover/submit'), {}));
    const rejected = await t.ams.ok(
      t.ams.post<Hypercare>(hc(t, r, '/handover/reject'), { reason: 'runbook lacks the restart steps' }),
    );
    expect(rejected.handover).toBe('rejected');
    await t.dev.ok(t.dev.post(hc(t, r, '/checklist'), { key: 'runbook', done: false }));
    await t.dev.ok(t.dev.post(hc(t, r, '/checklist'), { key: 'runbook', done: true }));
    await t.dev.ok(t.dev.post(hc(t, r, '/handover/submit'), { note: 'restart steps added' }));
    const accepted = await t.ams.ok(t.ams.post<Hypercare>(hc(t, r, '/handover/accept'), { note: 'thanks' }));
    expect(accepted.handover).toBe('accepted');
    expect(accepted.decisions.map((d) => d.kind)).toEqual([
      'started',
      ...Array(6).fill('item'),
      'submitted',
      'rejected',
      'item',
      'item',
      'submitted',
      'accepted',
    ]);
    expect(accepted.decisions.find((d) => d.kind === 'rejected')).toMatchObject({
      reason: 'runbook lacks the restart steps',
      by: { id: t.ams.userId },
    });
    // every transition is a board event
    expect((await hypercareEvents(t, r)).map((e) => e.payload.change)).toEqual(
      accepted.decisions.map((d) => d.kind),
    );
  });

  it("moves the release's open tickets to the maintenance stream in one event on acceptance", async () => {
    const t = await team();
    const [a, b, finished] = await Promise.all([
      server.admin.createCard(t.boardId, { title: 'Card payments', type: 'story' }),
      server.admin.createCard(t.boardId, { title: 'Refund defect', type: 'defect_manual' }),
      server.admin.createCard(t.boardId, { title: 'Already done', type: 'story' }),
    ]);
    const { columns } = await server.admin.ok(
      server.admin.get<{ columns: { id: string; stream: string; category: string }[] }>(
        `/api/boards/${t.boardId}`,
      ),
    );
    await intoActiveSprint(server.admin, t.boardId, finished.id);
    const done = columns.find((c) => c.stream === 'development' && c.category === 'done')!;
    await server.admin.ok(
      server.admin.post(`/api/boards/${t.boardId}/cards/${finished.id}/move`, { columnId: done.id }),
    );
    const r = await goLive(t, { cards: [a, b, finished] });
    const before = (await events(t)).at(-1)!.seq;
    await handedOver(t, r);
    const after = (await events(t)).filter((e) => e.seq > before);
    const moves = after.filter((e) => e.type === 'cards.moved');
    expect(moves).toHaveLength(1);
    const moved = moves[0]!.type === 'cards.moved' ? moves[0]!.payload.cards : [];
    expect(moved.map((c) => c.id).sort()).toEqual([a.id, b.id].sort());
    expect(moved.every((c) => c.stream === 'maintenance' && c.columnId === null)).toBe(true);
    const cards = await t.po.cards(t.boardId);
    expect(cards.find((c) => c.id === finished.id)?.stream).toBe('development');
    expect(cards.find((c) => c.id === a.id)?.stream).toBe('maintenance');
  });
});

describe('live and on catch-up', () => {
  it('a watcher sees the acceptance and the ownership move live; a client that was away catches up on them', async () => {
    const t = await team();
    const card = await server.admin.createCard(t.boardId, { title: 'Open work' });
    const r = await goLive(t, { cards: [card] });
    await checklistDone(t, r);
    await t.dev.ok(t.dev.post(hc(t, r, '/handover/submit'), {}));
    const watcher = await socketFor(server, t.viewer);
    const away = await socketFor(server, t.po);
    try {
      const joined = (await watcher.emitWithAck('board:join', { boardId: t.boardId })) as JoinAck;
      const left = (await away.emitWithAck('board:join', { boardId: t.boardId })) as JoinAck;
      if (!joined.ok || !left.ok) throw new Error('join refused');
      away.close();
      const seen: BoardEvent[] = [];
      watcher.on('board:events', (batch) => seen.push(...batch));
      await t.ams.ok(t.ams.post(hc(t, r, '/handover/accept'), {}));
      await eventually(() => (seen.some((e) => e.type === 'cards.moved') ? true : null));
      expect(seen.map((e) => e.type)).toEqual(['hypercare.updated', 'cards.moved']);

      const back = await socketFor(server, t.po);
      try {
        const ack = (await back.emitWithAck('board:join', {
          boardId: t.boardId,
          sinceSeq: left.seq,
        })) as JoinAck;
        if (!ack.ok || ack.mode !== 'events') throw new Error('expected events');
        expect(ack.events.map((e) => e.type)).toEqual(['hypercare.updated', 'cards.moved']);
        expect(ack.events[0]).toMatchObject({
          payload: { change: 'accepted', hypercare: { handover: 'accepted' } },
        });
      } finally {
        back.close();
      }
    } finally {
      watcher.close();
      away.close();
    }
  });
});

describe('incidents linked to a release', () => {
  it('during hyper-care land in the development stream, flagged hyper-care and expedited, and the team is told; after it in maintenance', async () => {
    const t = await team();
    const r = await goLive(t);
    const incident = await t.ams.createCard(t.boardId, {
      title: 'Card payments time out',
      type: 'incident',
      stream: 'maintenance',
      priority: 'medium',
    });
    const linked = await t.ams.ok(t.ams.post<Card>(hc(t, r, '/incidents'), { cardId: incident.id }));
    expect(linked).toMatchObject({
      stream: 'development',
      priority: 'high',
      classOfService: 'expedite',
      labels: expect.arrayContaining(['hyper-care']),
    });
    const told = (await events(t)).filter((e) => e.type === 'hypercare.incident');
    expect(told).toMatchObject([
      {
        cardId: incident.id,
        payload: { incident: { releaseId: r.id, hypercare: true, stream: 'development' } },
      },
    ]);
    const release = await t.po.ok(t.po.get<Release>(rel(t, r)));
    expect(release.cardIds).toContain(incident.id);

    await t.po.ok(t.po.post(hc(t, r, '/exit'), { reason: 'quiet week, AMS ready' }));
    const next = await t.ams.createCard(t.boardId, {
      title: 'Refunds slow',
      type: 'incident',
      priority: 'low',
    });
    const after = await t.ams.ok(t.ams.post<Card>(hc(t, r, '/incidents'), { cardId: next.id }));
    expect(after).toMatchObject({ stream: 'maintenance', priority: 'low', classOfService: 'standard' });
    expect(after.labels).not.toContain('hyper-care');
  });

  it('refuses a story or an unknown card, naming cardId', async () => {
    const t = await team();
    const r = await goLive(t);
    const story = await t.po.createCard(t.boardId, { title: 'A story', type: 'story' });
    expect(await t.ams.post(hc(t, r, '/incidents'), { cardId: story.id })).toMatchObject({
      status: 400,
      body: { field: 'cardId' },
    });
    expect(await t.ams.post(hc(t, r, '/incidents'), { cardId: crypto.randomUUID() })).toMatchObject({
      status: 400,
      body: { field: 'cardId' },
    });
  });

  it('a real-format incident webhook for a service the release changes lands with the builders', async () => {
    const t = await team();
    const r = await goLive(t, { plan: { services: ['settlement'] } });
    const inst = await install(server.admin, t.boardId, 'generic-incident');
    const body = fixtureText('generic-incident', 'triggered');
    expect((await postHook(server.baseUrl, inst.inboundUrl, body, sign.bearer(inst.secret))).status).toBe(
      202,
    );
    const card = await eventually(
      async () =>
        (await t.po.cards(t.boardId)).find(
          (c) => c.title === 'Nightly settlement export did not arrive at the bank',
        ),
      10_000,
    );
    expect(card).toMatchObject({
      stream: 'development',
      classOfService: 'expedite',
      labels: expect.arrayContaining(['hyper-care']),
    });
    const told = (await events(t)).filter((e) => e.type === 'hypercare.incident');
    expect(told).toMatchObject([
      { cardId: card.id, payload: { incident: { releaseId: r.id, hypercare: true } } },
    ]);
    const release = await t.po.ok(t.po.get<Release>(rel(t, r)));
    expect(release.cardIds).toContain(card.id);
  });
});

describe('decisions', () => {
  it('extends with a reason and a later end, and exits early with a reason, recording who and when', async () => {
    const t = await team();
    const r = await goLive(t);
    const h0 = await t.po.ok(t.po.get<Hypercare>(hc(t, r)));
    const endsAt = new Date(new Date(h0.endsAt).getTime() + 7 * DAY_MS).toISOString();
    const extended = await t.ams.ok(
      t.ams.post<Hypercare>(hc(t, r, '/extend'), { endsAt, reason: 'month-end peak' }),
    );
    expect(extended).toMatchObject({ state: 'extended', endsAt });
    expect(extended.decisions.at(-1)).toMatchObject({
      kind: 'extended',
      reason: 'month-end peak',
      endsAt,
      by: { id: t.ams.userId },
    });
    const exited = await t.po.ok(t.po.post<Hypercare>(hc(t, r, '/exit'), { reason: 'stable' }));
    expect(exited).toMatchObject({ state: 'exited', exitedAt: expect.any(String) });
    expect(await t.po.post(hc(t, r, '/exit'), { reason: 'again' })).toMatchObject({
      status: 409,
      body: { field: 'state' },
    });
  });

  it('answers bad input with a 400 naming the field', async () => {
    const t = await team();
    const r = await goLive(t);
    const h = await t.po.ok(t.po.get<Hypercare>(hc(t, r)));
    const bad: [string, string, unknown, string][] = [
      ['POST', hc(t, r, '/checklist'), { key: 'coffee', done: true }, 'key'],
      ['POST', hc(t, r, '/checklist'), { key: 'runbook', done: 'yes' }, 'done'],
      ['POST', hc(t, r, '/checklist'), { done: true }, 'key'],
      ['POST', hc(t, r, '/extend'), { endsAt: 'next tuesday', reason: 'x' }, 'endsAt'],
      ['POST', hc(t, r, '/extend'), { endsAt: h.endsAt, reason: 'x' }, 'endsAt'],
      [
        'POST',
        hc(t, r, '/extend'),
        { endsAt: new Date(Date.now() + 30 * DAY_MS).toISOString(), reason: '' },
        'reason',
      ],
      ['POST', hc(t, r, '/exit'), {}, 'reason'],
      ['POST', hc(t, r, '/exit'), { reason: '   ' }, 'reason'],
      ['POST', hc(t, r, '/handover/reject'), { reason: 5 }, 'reason'],
      ['POST', hc(t, r, '/incidents'), { cardId: 'CARD-1' }, 'cardId'],
      [
        'PUT',
        `/api/boards/${t.boardId}/hypercare-settings`,
        { windowDays: 0, extensionDays: 1, handoverPoint: 'go_live', checklist: [{ key: 'a', label: 'A' }] },
        'windowDays',
      ],
      [
        'PUT',
        `/api/boards/${t.boardId}/hypercare-settings`,
        { windowDays: 5, extensionDays: 1, handoverPoint: 'lunch', checklist: [{ key: 'a', label: 'A' }] },
        'handoverPoint',
      ],
      [
        'PUT',
        `/api/boards/${t.boardId}/hypercare-settings`,
        {
          windowDays: 5,
          extensionDays: 1,
          handoverPoint: 'go_live',
          checklist: [
            { key: 'a', label: 'A' },
            { key: 'a', label: 'B' },
          ],
        },
        'checklist[1].key',
      ],
      [
        'PUT',
        `/api/boards/${t.boardId}/hypercare-settings`,
        { windowDays: 5, extensionDays: 1, handoverPoint: 'go_live', checklist: [] },
        'checklist',
      ],
    ];
    for (const [method, path, body, field] of bad) {
      const res = await t.po.request<{ field?: string; message: string }>(method, path, body);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(`${res.body.field ?? ''} ${res.body.message}`, JSON.stringify(body)).toContain(field);
    }
  });
});

describe('authorisation, per route and role', () => {
  const ROLES: Role[] = ['admin', 'product_owner', 'developer', 'maintenance', 'viewer'];
  it('lets each role do exactly what the role matrix grants, and a refusal changes nothing', {
    timeout: 180_000,
  }, async () => {
    const t = await team();
    const clients = {} as Record<Role, ApiClient>;
    for (const role of ROLES)
      clients[role] = role === 'admin' ? server.admin : await memberWithRole(server, t.boardId, role);
    const outsider = await memberWithRole(server, (await server.admin.createBoard('Elsewhere')).id, 'admin');
    type Run = (c: ApiClient, r: Release) => Promise<{ status: number }>;
    const submitted = async (r: Release) => {
      await checklistDone(t, r);
      await t.dev.ok(t.dev.post(hc(t, r, '/handover/submit'), {}));
    };
    const settings = {
      windowDays: 14,
      extensionDays: 7,
      handoverPoint: 'end_of_hypercare',
      checklist: [{ key: 'runbook', label: 'Runbook' }],
    };
    const routes: Record<string, { setup?: (r: Release) => Promise<void>; run: Run; allowed: Role[] }> = {
      'read hyper-care': { run: (c, r) => c.get(hc(t, r)), allowed: ROLES },
      'read the board defaults': {
        run: (c) => c.get(`/api/boards/${t.boardId}/hypercare-settings`),
        allowed: ROLES,
      },
      'set the board defaults': {
        run: (c) => c.put(`/api/boards/${t.boardId}/hypercare-settings`, settings),
        allowed: ['admin', 'product_owner'],
      },
      'tick a checklist item': {
        run: (c, r) => c.post(hc(t, r, '/checklist'), { key: 'runbook', done: true }),
        allowed: ['admin', 'product_owner', 'developer'],
      },
      'submit the handover': {
        setup: (r) => checklistDone(t, r).then(() => undefined),
        run: (c, r) => c.post(hc(t, r, '/handover/submit'), {}),
        allowed: ['admin', 'product_owner', 'developer'],
      },
      'accept the handover': {
        setup: submitted,
        run: (c, r) => c.post(hc(t, r, '/handover/accept'), {}),
        allowed: ['admin', 'maintenance'],
      },
      'reject the handover': {
        setup: submitted,
        run: (c, r) => c.post(hc(t, r, '/handover/reject'), { reason: 'no' }),
        allowed: ['admin', 'maintenance'],
      },
      'extend hyper-care': {
        run: (c, r) =>
          c.post(hc(t, r, '/extend'), {
            endsAt: new Date(Date.now() + 60 * DAY_MS).toISOString(),
            reason: 'r',
          }),
        allowed: ['admin', 'product_owner', 'maintenance'],
      },
      'exit early': {
        run: (c, r) => c.post(hc(t, r, '/exit'), { reason: 'r' }),
        allowed: ['admin', 'product_owner', 'maintenance'],
      },
      'link an incident': {
        run: async (c, r) => {
          const card = await server.admin.createCard(t.boardId, { title: 'Outage', type: 'incident' });
          return c.post(hc(t, r, '/incidents'), { cardId: card.id });
        },
        allowed: ['admin', 'product_owner', 'developer', 'maintenance'],
      },
    };
    const r0 = await goLive(t);
    for (const [name, route] of Object.entries(routes)) {
      for (const role of ROLES) {
        const r = name.startsWith('read') ? r0 : await goLive(t);
        if (route.setup) await route.setup(r);
        const before = await server.admin.ok(server.admin.get<Hypercare>(hc(t, r)));
        const res = await route.run(clients[role], r);
        if (route.allowed.includes(role)) expect(res.status, `${name} as ${role}`).toBeLessThan(300);
        else {
          expect(res.status, `${name} as ${role}`).toBe(403);
          expect(await server.admin.ok(server.admin.get<Hypercare>(hc(t, r)))).toEqual(before);
        }
      }
      expect((await route.run(outsider, r0)).status, `${name} from another board`).toBe(404);
    }
  });
});

describe('races against real PostgreSQL', () => {
  it('two AMS leads accepting at once record one acceptance and one ownership move', {
    timeout: 120_000,
  }, async () => {
    const t = await team();
    const ams2 = await memberWithRole(server, t.boardId, 'maintenance', 'ams2');
    for (let round = 0; round < 4; round++) {
      const card = await server.admin.createCard(t.boardId, { title: `work ${round}` });
      const r = await goLive(t, { cards: [card] });
      await checklistDone(t, r);
      await t.dev.ok(t.dev.post(hc(t, r, '/handover/submit'), {}));
      const answers = await Promise.all([t.ams, ams2].map((c) => c.post(hc(t, r, '/handover/accept'), {})));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
      const h = await t.po.ok(t.po.get<Hypercare>(hc(t, r)));
      expect(h.decisions.filter((d) => d.kind === 'accepted')).toHaveLength(1);
      const moves = (await events(t)).filter(
        (e) => e.type === 'cards.moved' && e.payload.cards.some((c) => c.id === card.id),
      );
      expect(moves).toHaveLength(1);
    }
  });

  it('an incident linked at the instant hyper-care ends goes to exactly one stream', {
    timeout: 120_000,
  }, async () => {
    const t = await team();
    for (let round = 0; round < 6; round++) {
      const r = await goLive(t);
      await handedOver(t, r);
      const incident = await t.ams.createCard(t.boardId, {
        title: `edge ${round}`,
        type: 'incident',
        priority: 'low',
      });
      // the window's end, as the timer would run it, with the clock past the end, racing a link by hand
      const [, link] = await Promise.all([
        new Promise((res) => setTimeout(res, round * 4)).then(() =>
          server.app.services.hypercare.windowEnd(r.id, () => new Date(Date.now() + 30 * DAY_MS)),
        ),
        t.ams.post<Card>(hc(t, r, '/incidents'), { cardId: incident.id }),
      ]);
      expect(link.status).toBe(200);
      const h = await t.po.ok(t.po.get<Hypercare>(hc(t, r)));
      const card = link.body;
      // linked first: the builders' (high, so the end extends hyper-care); ended first: maintenance
      if (card.stream === 'development') {
        expect(card.labels).toContain('hyper-care');
        expect(h.state).toBe('extended');
      } else {
        expect(card.stream).toBe('maintenance');
        expect(h.state).toBe('exited');
      }
      const told = (await events(t)).filter(
        (e) => e.type === 'hypercare.incident' && e.cardId === incident.id,
      );
      expect(told).toHaveLength(1);
    }
  });
});

describe('the window end, durable', () => {
  it('exits by itself when the window elapses with the handover accepted and nothing severe open', {
    timeout: 60_000,
  }, async () => {
    const t = await team();
    const r = await goLive(t, { plan: { windowDays: seconds(4) } });
    await handedOver(t, r);
    const h = await eventually(async () => {
      const now = await t.po.ok(t.po.get<Hypercare>(hc(t, r)));
      return now.state === 'exited' ? now : null;
    }, 20_000);
    expect(h.decisions.at(-1)).toMatchObject({ kind: 'exited', by: { id: null, label: 'hyper-care timer' } });
    // the timer again, or a re-delivered job, does nothing
    expect(await server.app.services.hypercare.windowEnd(r.id)).toBeNull();
    expect((await hypercareEvents(t, r)).filter((e) => e.payload.change === 'exited')).toHaveLength(1);
  });

  it('fires once after the server was stopped across the deadline, extending with the failing criterion', {
    timeout: 90_000,
  }, async () => {
    const first = await startServer();
    const t = await team(first);
    const r = await goLive(t, { on: first, plan: { windowDays: seconds(5) } });
    const h = await t.po.ok(t.po.get<Hypercare>(hc(t, r)));
    await first.close();
    const stoppedAt = Date.now();
    expect(stoppedAt).toBeLessThan(new Date(h.endsAt).getTime());
    // wait past the deadline with no server running
    while (Date.now() < new Date(h.endsAt).getTime() + 1000) await new Promise((res) => setTimeout(res, 250));

    const second = await startServer({}, first.databaseUrl);
    try {
      const po = await ApiClient.login(second.baseUrl, 'admin@example.com', ADMIN_PASSWORD);
      const t2: Team = { ...t, po };
      const after = await eventually(async () => {
        const now = await po.ok(po.get<Hypercare>(hc(t2, r)));
        return now.state === 'extended' ? now : null;
      }, 20_000);
      expect(after.decisions.at(-1)).toMatchObject({
        kind: 'extended',
        reason: 'the handover is not submitted',
        by: { label: 'hyper-care timer' },
      });
      // both due jobs ran (the original and the start-up sweep's duplicate); the extension's own waits
      await eventually(async () => {
        const { rows } = await sql<{ n: string }>`
          select count(*) as n from pgboss.job
          where name = ${WINDOW_END_QUEUE} and data->>'releaseId' = ${r.id} and start_after <= now() and state not in ('completed', 'failed', 'cancelled')`.execute(
          second.db,
        );
        return Number(rows[0]!.n) === 0 ? true : null;
      }, 20_000);
      const changes = (await po.ok(po.get<BoardEvent[]>(`/api/boards/${t.boardId}/events?after=0`)))
        .filter((e) => e.type === 'hypercare.updated' && e.payload.hypercare.releaseId === r.id)
        .map((e) => (e.type === 'hypercare.updated' ? e.payload.change : ''));
      expect(changes).toEqual(['started', 'extended']);
    } finally {
      await second.close();
    }
  });
});
