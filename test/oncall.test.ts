/**
 * On-call against a real server and PostgreSQL: rotas and their validation, who is on duty now,
 * service history, escalation of a critical incident (pages step by step, acknowledging stops it,
 * exactly once across a restart and across two schedulers), and the alert-noise report.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardEvent } from '../protocol/events.ts';
import type { Card } from '../protocol/model.ts';
import type { Escalation, OnDutyNow, Policy, Rota, ServiceHistory } from '../protocol/oncall.ts';
import { EscalationEngine } from '../server/oncall/escalation.ts';
import type { Page } from '../server/oncall/pager.ts';
import { install, postHook, sign } from '../server/plugin-host/test-tools.ts';
import { BoardEventBus } from '../server/sync/event-log.ts';
import { type ApiClient, eventually, memberWithRole, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let boardId: string;
let ada: ApiClient;
let bob: ApiClient;
let lead: ApiClient;

beforeAll(async () => {
  server = await startServer();
  boardId = (await server.admin.createBoard('Service desk')).id;
  ada = await memberWithRole(server, boardId, 'maintenance', 'ada');
  bob = await memberWithRole(server, boardId, 'maintenance', 'bob');
  lead = await memberWithRole(server, boardId, 'product_owner', 'lead');
});
afterAll(() => server.close());

const base = () => `/api/boards/${boardId}/oncall`;
const weekly = (over: Record<string, unknown> = {}) => ({
  name: 'AMS weekly',
  duty: 'ams',
  rotation: true,
  members: [ada.userId, bob.userId],
  pattern: { kind: 'weekly', zone: 'Europe/London', handoffWeekday: 1, handoffTime: '09:00' },
  startDate: '2026-01-05',
  ...over,
});

async function pagedEvents(s: TestServer, cardId: string): Promise<BoardEvent[]> {
  const { rows } = await sql<BoardEvent>`
    select type, payload from board_events where card_id = ${cardId} and type = 'oncall.paged' order by seq`.execute(
    s.db,
  );
  return rows;
}

const steps = (events: BoardEvent[]) => events.map((e) => (e.payload as { step: number }).step);

async function criticalIncident(s: TestServer, title = 'Payments down'): Promise<Card> {
  return s.admin.createCard(boardId, {
    title,
    type: 'incident',
    stream: 'maintenance',
    priority: 'critical',
  });
}

describe('rotas', () => {
  it('creates a weekly rota and answers who is on duty now and next, live as a board event', async () => {
    const rota = await lead.ok(lead.post<Rota>(`${base()}/rotas`, weekly()));
    expect(rota).toMatchObject({ name: 'AMS weekly', duty: 'ams', rotation: true, covers: [] });
    const now = await ada.ok(ada.get<OnDutyNow[]>(`${base()}/now`));
    const mine = now.find((n) => n.rotaId === rota.id)!;
    expect([ada.userId, bob.userId]).toContain(mine.onDuty?.userId);
    expect(mine.next?.userId).not.toBe(mine.onDuty?.userId);
    expect(new Date(mine.next!.from).getUTCHours()).toBeGreaterThanOrEqual(8); // a Monday 09:00 London
    const { rows } = await sql<{ type: string }>`
      select type from board_events where board_id = ${boardId} and type = 'oncall.rota_changed'`.execute(
      server.db,
    );
    expect(rows.length).toBeGreaterThan(0);
  });

  it('refuses bad rotas with a 400 naming the field', async () => {
    const bad = async (body: unknown) => lead.post<{ field: string }>(`${base()}/rotas`, body);
    const zone = await bad(
      weekly({
        pattern: { kind: 'weekly', zone: 'Europe/Atlantis', handoffWeekday: 1, handoffTime: '09:00' },
      }),
    );
    expect([zone.status, zone.body.field]).toEqual([400, 'pattern.zone']);
    const outsider = await memberWithRole(server, (await server.admin.createBoard('Other')).id, 'developer');
    const stranger = await bad(weekly({ members: [ada.userId, outsider.userId] }));
    expect([stranger.status, stranger.body.field]).toEqual([400, 'members[1]']);
    const overlap = await bad(
      weekly({
        pattern: {
          kind: 'follow_the_sun',
          shifts: [
            { name: 'London', zone: 'Europe/London', start: '08:00', end: '16:00', members: [ada.userId] },
            {
              name: 'New York',
              zone: 'America/New_York',
              start: '08:00',
              end: '16:00',
              members: [bob.userId],
            },
          ],
        },
      }),
    );
    expect([overlap.status, overlap.body.field]).toEqual([400, 'pattern.shifts[1]']);
    // A schema error inside a follow-the-sun region names that region's field, not another pattern's.
    const region = (over: object) => ({
      name: 'Sydney',
      zone: 'Australia/Sydney',
      start: '09:00',
      end: '16:00',
      members: [ada.userId],
      ...over,
    });
    const sun = (shifts: unknown[]) => bad(weekly({ pattern: { kind: 'follow_the_sun', shifts } }));
    const empty = await sun([region({}), region({ name: 'London', members: [] })]);
    expect([empty.status, empty.body.field]).toEqual([400, 'pattern.shifts.1.members']);
    const late = await sun([region({}), region({}), region({ end: '25:00' })]);
    expect([late.status, late.body.field]).toEqual([400, 'pattern.shifts.2.end']);
    const time = await bad(
      weekly({ pattern: { kind: 'weekly', zone: 'UTC', handoffWeekday: 1, handoffTime: '25:00' } }),
    );
    expect(time.status).toBe(400);
    expect(time.body.field).toMatch(/handoffTime/);
  });

  it('an override puts its person on duty now; removing it restores the rota', async () => {
    const rota = await lead.ok(
      lead.post<Rota>(`${base()}/rotas`, weekly({ name: 'Override me', members: [ada.userId] })),
    );
    const from = new Date(Date.now() - 60_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const covered = await lead.ok(
      lead.post<Rota>(`${base()}/rotas/${rota.id}/covers`, {
        kind: 'override',
        userId: bob.userId,
        from,
        to,
      }),
    );
    expect(covered.covers).toHaveLength(1);
    const onDuty = async () =>
      (await ada.ok(ada.get<OnDutyNow[]>(`${base()}/now`))).find((n) => n.rotaId === rota.id)?.onDuty;
    expect(await onDuty()).toMatchObject({ userId: bob.userId, cover: 'override' });
    await lead.ok(lead.delete(`${base()}/rotas/${rota.id}/covers/${covered.covers[0]!.id}`));
    expect((await onDuty())?.userId).toBe(ada.userId);
    const backwards = await lead.post<{ field: string }>(`${base()}/rotas/${rota.id}/covers`, {
      kind: 'override',
      userId: bob.userId,
      from: to,
      to: from,
    });
    expect([backwards.status, backwards.body.field]).toEqual([400, 'to']);
  });

  it('shows where a person served on a development↔AMS rotation', async () => {
    const history = await ada.ok(ada.get<ServiceHistory>(`${base()}/history/${bob.userId}?days=60`));
    expect(history.periods.some((p) => p.duty === 'ams')).toBe(true);
    expect(history.periods.some((p) => p.duty === 'development')).toBe(true);
    expect(history.hours.ams + history.hours.development).toBeGreaterThan(24 * 50);
  });
});

describe('escalation', () => {
  let rotaId: string;

  beforeAll(async () => {
    // ada on duty now (an override), bob next: step 0 pages ada, step 1 bob, step 2 the lead
    const rota = await lead.ok(
      lead.post<Rota>(`${base()}/rotas`, weekly({ name: 'Escalation rota', rotation: false })),
    );
    rotaId = rota.id;
    await lead.ok(
      lead.post(`${base()}/rotas/${rotaId}/covers`, {
        kind: 'override',
        userId: ada.userId,
        from: new Date(Date.now() - 60_000).toISOString(),
        to: new Date(Date.now() + 3_600_000).toISOString(),
      }),
    );
  });

  async function policy(afterMinutes: number[]): Promise<Policy> {
    const existing = await lead.ok(lead.get<Policy[]>(`${base()}/policies`));
    for (const p of existing) await lead.ok(lead.delete(`${base()}/policies/${p.id}`));
    const targets = [
      { kind: 'on_duty', rotaId },
      { kind: 'next_on_duty', rotaId },
      { kind: 'user', userId: lead.userId },
    ];
    return lead.ok(
      lead.post<Policy>(`${base()}/policies`, {
        name: 'Critical incidents',
        priorities: ['critical'],
        steps: afterMinutes.map((m, i) => ({ target: targets[i], afterMinutes: m })),
      }),
    );
  }

  it('pages the person on duty at once, the next after the step’s minutes, and stops when acknowledged', async () => {
    await policy([0, 0.04, 60]);
    const card = await criticalIncident(server);
    const first = await eventually(async () =>
      (await pagedEvents(server, card.id)).length >= 1 ? pagedEvents(server, card.id) : null,
    );
    expect(first[0]!.payload).toMatchObject({ step: 0, who: { userId: ada.userId }, target: 'on_duty' });
    const second = await eventually(
      async () => ((await pagedEvents(server, card.id)).length >= 2 ? pagedEvents(server, card.id) : null),
      8000,
    );
    expect(second[1]!.payload).toMatchObject({
      step: 1,
      who: { userId: bob.userId },
      target: 'next_on_duty',
    });
    const acked = await bob.ok(bob.post<Escalation>(`/api/boards/${boardId}/incidents/${card.id}/ack`));
    expect(acked).toMatchObject({ nextAt: null, ackedBy: { userId: bob.userId } });
    expect(acked.pages.map((p) => p.step)).toEqual([0, 1]);
    const again = await ada.post(`/api/boards/${boardId}/incidents/${card.id}/ack`);
    expect(again.status).toBe(409);
  });

  it('five people acknowledging at once: one acknowledgement, the others are told it is taken', async () => {
    await policy([0, 60]);
    const card = await criticalIncident(server, 'Everyone jumps');
    await eventually(async () => (await pagedEvents(server, card.id)).length === 1);
    const people = [ada, bob, lead, ada, bob];
    const replies = await Promise.all(
      people.map((p) => p.post(`/api/boards/${boardId}/incidents/${card.id}/ack`)),
    );
    expect(replies.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from board_events where card_id = ${card.id} and type = 'oncall.acknowledged'`.execute(
      server.db,
    );
    expect(rows[0]!.n).toBe(1);
  });

  it('a swap exchanges two members’ shifts; a swap with oneself is refused naming withUserId', async () => {
    const self = await lead.post<{ field: string }>(`${base()}/rotas/${rotaId}/covers`, {
      kind: 'swap',
      userId: ada.userId,
      withUserId: ada.userId,
      from: new Date().toISOString(),
      to: new Date(Date.now() + 60_000).toISOString(),
    });
    expect([self.status, self.body.field]).toEqual([400, 'withUserId']);
    const from = '2027-01-04T00:00:00Z';
    const to = '2027-01-25T00:00:00Z';
    const before = await ada.ok(
      ada.get<{ userId: string; from: string }[]>(`${base()}/rotas/${rotaId}/shifts?from=${from}&to=${to}`),
    );
    await lead.ok(
      lead.post(`${base()}/rotas/${rotaId}/covers`, {
        kind: 'swap',
        userId: ada.userId,
        withUserId: bob.userId,
        from,
        to,
      }),
    );
    const after = await ada.ok(
      ada.get<{ userId: string; from: string }[]>(`${base()}/rotas/${rotaId}/shifts?from=${from}&to=${to}`),
    );
    const other = (id: string) => (id === ada.userId ? bob.userId : ada.userId);
    expect(after.map((s) => s.userId)).toEqual(before.map((s) => other(s.userId)));
  });

  it('refuses to delete a rota an escalation policy pages (409 naming rotaId)', async () => {
    await policy([0]);
    const r = await lead.delete<{ field: string }>(`${base()}/rotas/${rotaId}`);
    expect([r.status, r.body.field]).toEqual([409, 'rotaId']);
  });

  it('does not start for a medium incident, nor for a critical story', async () => {
    await policy([0, 60]);
    const medium = await server.admin.createCard(boardId, {
      title: 'Slow report',
      type: 'incident',
      stream: 'maintenance',
      priority: 'medium',
    });
    const story = await server.admin.createCard(boardId, {
      title: 'Big story',
      type: 'story',
      priority: 'critical',
    });
    const control = await criticalIncident(server, 'Control');
    await eventually(async () => (await pagedEvents(server, control.id)).length === 1);
    expect(await pagedEvents(server, medium.id)).toHaveLength(0);
    expect(await pagedEvents(server, story.id)).toHaveLength(0);
    const none = await ada.get(`/api/boards/${boardId}/incidents/${medium.id}/escalation`);
    expect(none.status).toBe(404);
  });

  it('a step due while the server is down pages exactly once after the restart', async () => {
    await policy([0, 0.03]);
    // only s1, then s2, schedules: this file's main server stays out of it
    await server.app.escalations.stop();
    const s1 = await startServer({}, server.databaseUrl);
    const card = await criticalIncident(s1, 'Across a restart');
    await eventually(async () => (await pagedEvents(s1, card.id)).length === 1);
    await s1.close();
    // the server is down across step 1's time
    const due = Date.now() + 2500;
    await eventually(() => Date.now() > due, 4000);
    const s2 = await startServer({}, server.databaseUrl);
    try {
      await eventually(async () => (await pagedEvents(s2, card.id)).length === 2, 8000);
      await s2.app.escalations.tick();
      await s2.app.escalations.tick();
      expect(steps(await pagedEvents(s2, card.id))).toEqual([0, 1]);
    } finally {
      await s2.close();
      server.app.escalations.start();
    }
  });

  it('an incident raised while no scheduler listened gets its escalation when one starts', async () => {
    await policy([0, 60]);
    await server.app.escalations.stop();
    let card: Card;
    try {
      card = await criticalIncident(server, 'Missed start');
      expect((await ada.get(`/api/boards/${boardId}/incidents/${card.id}/escalation`)).status).toBe(404);
    } finally {
      server.app.escalations.start();
    }
    await eventually(async () => (await pagedEvents(server, card.id)).length === 1);
    expect((await pagedEvents(server, card.id))[0]!.payload).toMatchObject({
      step: 0,
      who: { userId: ada.userId },
    });
  });

  it('two schedulers racing over the same due steps page each step once', async () => {
    await policy([0, 0.02, 0.04]);
    const card = await criticalIncident(server, 'Raced');
    await eventually(async () => (await pagedEvents(server, card.id)).length === 1);
    // the main server's scheduler steps aside: the two below race for steps 1 and 2
    await server.app.escalations.stop();
    const sent: Page[] = [];
    const log = { warn: () => {} };
    const engines = [1, 2].map(
      () =>
        new EscalationEngine({
          db: server.db,
          bus: new BoardEventBus(),
          pager: { page: async (p) => void sent.push(p) },
          log,
          batch: 1,
        }),
    );
    const due = Date.now() + 2600;
    await eventually(() => Date.now() > due, 4000);
    await Promise.all([...engines, ...engines].map((e) => e.tick()));
    await server.app.escalations.tick();
    expect(steps(await pagedEvents(server, card.id))).toEqual([0, 1, 2]);
    const byStep = new Map<number, number>();
    for (const p of sent.filter((x) => x.cardId === card.id))
      byStep.set(p.step, (byStep.get(p.step) ?? 0) + 1);
    for (const n of byStep.values()) expect(n).toBe(1);
  });

  it('refuses a policy naming a rota of another board or a step out of order', async () => {
    const other = await server.admin.createBoard('Else');
    const foreign = await server.admin
      .ok(
        server.admin.post<Rota>(`/api/boards/${other.id}/oncall/rotas`, {
          ...weekly(),
          members: [server.admin.userId],
        }),
      )
      .catch(async () => {
        await server.admin.ok(
          server.admin.put(`/api/boards/${other.id}/members`, { email: 'admin@example.com', role: 'admin' }),
        );
        return server.admin.ok(
          server.admin.post<Rota>(`/api/boards/${other.id}/oncall/rotas`, {
            ...weekly(),
            members: [server.admin.userId],
          }),
        );
      });
    const r = await lead.post<{ field: string }>(`${base()}/policies`, {
      name: 'x',
      priorities: ['critical'],
      steps: [{ target: { kind: 'on_duty', rotaId: foreign.id }, afterMinutes: 0 }],
    });
    expect([r.status, r.body.field]).toEqual([400, 'steps[0].target.rotaId']);
    const order = await lead.post<{ field: string }>(`${base()}/policies`, {
      name: 'x',
      priorities: ['critical'],
      steps: [
        { target: { kind: 'user', userId: lead.userId }, afterMinutes: 5 },
        { target: { kind: 'user', userId: lead.userId }, afterMinutes: 5 },
      ],
    });
    expect([order.status, order.body.field]).toEqual([400, 'steps[1].afterMinutes']);
  });
});

describe('alert noise', () => {
  it('per source, the share of its tickets closed with no human action', async () => {
    const board = (await server.admin.createBoard('Noise')).id;
    const monitor = await install(server.admin, board, 'generic-incident');
    const send = async (id: string, status: string) => {
      const body = JSON.stringify({
        id,
        status,
        title: `Alert ${id}`,
        severity: 'high',
        occurredAt: new Date().toISOString(),
      });
      const r = await postHook(server.baseUrl, monitor.inboundUrl, body, sign.bearer(monitor.secret));
      expect(r.status).toBeLessThan(300);
    };
    const cardOf = async (id: string) =>
      eventually(async () => (await server.admin.cards(board)).find((c) => c.title === `Alert ${id}`));
    await send('N-1', 'triggered');
    await send('N-2', 'triggered');
    await cardOf('N-1');
    const handled = await cardOf('N-2');
    await server.admin.ok(
      server.admin.post(`/api/boards/${board}/cards/${handled.id}/comments`, { body: 'looking' }),
    );
    await send('N-1', 'resolved');
    await send('N-2', 'resolved');
    const report = await eventually(async () => {
      const r = await server.admin.ok(
        server.admin.get<{
          sources: { installationId: string; closed: number; noHumanAction: number; share: number }[];
        }>(`/api/boards/${board}/reports/alert-noise`),
      );
      const mine = r.sources.find((s) => s.installationId === monitor.id);
      return mine && mine.closed === 2 ? mine : null;
    });
    expect(report).toMatchObject({ closed: 2, noHumanAction: 1, share: 0.5 });
  });
});
