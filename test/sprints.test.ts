/** Scrum in the development stream: plan, start, work, complete with carry-over; velocity and burndown. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Burndown, Card, Snapshot, Sprint, Velocity } from '../protocol/model.ts';
import { eventually, memberWithRole, socketFor, startServer, type TestServer } from './harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

async function board() {
  const id = (await server.admin.createBoard('Scrum')).id;
  const snap = await server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${id}`));
  const col = (name: string) => snap.columns.find((c) => c.stream === 'development' && c.name === name)!.id;
  return { id, todo: col('To do'), doing: col('In progress'), done: col('Done') };
}
const plan = (boardId: string, name: string, capacity = 10) =>
  server.admin.ok(server.admin.post<Sprint>(`/api/boards/${boardId}/sprints`, { name, capacity }));
const moveInto = (boardId: string, cardId: string, body: Record<string, unknown>) =>
  server.admin.ok(server.admin.post<{ card: Card }>(`/api/boards/${boardId}/cards/${cardId}/move`, body));
const today = () => new Date().toISOString().slice(0, 10);
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

describe('a sprint from planning to completion', () => {
  it('plans, starts with a goal, is worked on the sprint board, and completes carrying unfinished work to the top of the backlog', async () => {
    const b = await board();
    const existing = await server.admin.createCard(b.id, { title: 'Already top of backlog', estimate: 1 });
    const login = await server.admin.createCard(b.id, { title: 'Login', estimate: 3 });
    const search = await server.admin.createCard(b.id, { title: 'Search', estimate: 5 });
    const export_ = await server.admin.createCard(b.id, { title: 'Export', estimate: 2 });
    const sprint = await plan(b.id, 'Sprint 1', 12);
    expect(sprint).toMatchObject({ state: 'planned', capacity: 12 });
    for (const c of [login, search, export_]) await moveInto(b.id, c.id, { sprintId: sprint.id });

    const started = await server.admin.ok(
      server.admin.post<{ sprint: Sprint; cards: Card[] }>(`/api/boards/${b.id}/sprints/${sprint.id}/start`, {
        goal: 'Customers can find and export orders',
        startDate: today(),
        endDate: inDays(13),
      }),
    );
    expect(started.sprint).toMatchObject({
      state: 'active',
      goal: 'Customers can find and export orders',
      committedPoints: 10,
    });
    expect(started.cards.map((c) => [c.title, c.columnId])).toEqual([
      ['Login', b.todo],
      ['Search', b.todo],
      ['Export', b.todo],
    ]);

    await moveInto(b.id, login.id, { columnId: b.doing });
    await moveInto(b.id, login.id, { columnId: b.done });
    await moveInto(b.id, search.id, { columnId: b.doing });

    const burndown = await server.admin.ok(
      server.admin.get<Burndown>(`/api/boards/${b.id}/reports/burndown/${sprint.id}`),
    );
    expect(burndown.committed).toBe(10);
    expect(burndown.days).toHaveLength(14);
    expect(burndown.days[0]).toMatchObject({ date: today(), remaining: 7, ideal: 10 });
    expect(burndown.days.at(-1)).toMatchObject({ remaining: null, ideal: 0 });

    const done = await server.admin.ok(
      server.admin.post<{ sprint: Sprint; cards: Card[] }>(
        `/api/boards/${b.id}/sprints/${sprint.id}/complete`,
        { carryOver: 'backlog' },
      ),
    );
    expect(done.sprint).toMatchObject({ state: 'completed', completedPoints: 3, carryOver: 'backlog' });
    expect(done.cards.map((c) => [c.title, c.sprintId, c.columnId])).toEqual([
      ['Search', null, null],
      ['Export', null, null],
    ]);
    const backlog = (await server.admin.cards(b.id)).filter((c) => c.columnId === null).map((c) => c.title);
    expect(backlog).toEqual(['Search', 'Export', existing.title]);

    // The completed sprint's burndown still counts the carried-over work as what remained.
    const after = await server.admin.ok(
      server.admin.get<Burndown>(`/api/boards/${b.id}/reports/burndown/${sprint.id}`),
    );
    expect(after.committed).toBe(10);
    expect(after.days[0]).toMatchObject({ date: today(), remaining: 7 });

    const velocity = await server.admin.ok(
      server.admin.get<Velocity>(`/api/boards/${b.id}/reports/velocity`),
    );
    expect(velocity).toEqual([{ sprintId: sprint.id, name: 'Sprint 1', committed: 10, completed: 3 }]);
  });

  it('can carry unfinished work into the next planned sprint instead', async () => {
    const b = await board();
    const a = await server.admin.createCard(b.id, { title: 'A', estimate: 2 });
    const s1 = await plan(b.id, 'S1');
    const s2 = await plan(b.id, 'S2');
    await moveInto(b.id, a.id, { sprintId: s1.id });
    await server.admin.ok(
      server.admin.post(`/api/boards/${b.id}/sprints/${s1.id}/start`, {
        goal: 'g',
        startDate: today(),
        endDate: inDays(7),
      }),
    );
    const missing = await server.admin.post(`/api/boards/${b.id}/sprints/${s1.id}/complete`, {
      carryOver: 'next_sprint',
    });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ field: 'nextSprintId' });
    const done = await server.admin.ok(
      server.admin.post<{ cards: Card[] }>(`/api/boards/${b.id}/sprints/${s1.id}/complete`, {
        carryOver: 'next_sprint',
        nextSprintId: s2.id,
      }),
    );
    expect(done.cards[0]).toMatchObject({ title: 'A', sprintId: s2.id, columnId: null });
  });

  it('allows one active sprint per board, even when two starts race', async () => {
    const b = await board();
    const s1 = await plan(b.id, 'One');
    const s2 = await plan(b.id, 'Two');
    const body = { goal: 'g', startDate: today(), endDate: inDays(7) };
    const results = await Promise.all([
      server.admin.post(`/api/boards/${b.id}/sprints/${s1.id}/start`, body),
      server.admin.post(`/api/boards/${b.id}/sprints/${s2.id}/start`, body),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const sprints = await server.admin.ok(server.admin.get<Sprint[]>(`/api/boards/${b.id}/sprints`));
    expect(sprints.filter((s) => s.state === 'active')).toHaveLength(1);
  });

  it('refuses bad dates and completing a sprint that is not active', async () => {
    const b = await board();
    const s = await plan(b.id, 'Dates');
    const bad = await server.admin.post(`/api/boards/${b.id}/sprints/${s.id}/start`, {
      goal: 'g',
      startDate: inDays(3),
      endDate: today(),
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'VALIDATION_FAILED', field: 'endDate' });
    const early = await server.admin.post(`/api/boards/${b.id}/sprints/${s.id}/complete`, {
      carryOver: 'backlog',
    });
    expect(early.status).toBe(409);
    expect(
      (
        await server.admin.post(`/api/boards/${b.id}/sprints/${s.id}/start`, {
          goal: 'g',
          startDate: 'tomorrow',
          endDate: today(),
        })
      ).body,
    ).toMatchObject({
      error: 'VALIDATION_FAILED',
      field: 'startDate',
    });
  });

  it('lets only product owners and admins run sprints', async () => {
    const b = await board();
    const dev = await memberWithRole(server, b.id, 'developer');
    expect((await dev.post(`/api/boards/${b.id}/sprints`, { name: 'Nope' })).status).toBe(403);
    const po = await memberWithRole(server, b.id, 'product_owner');
    expect((await po.post(`/api/boards/${b.id}/sprints`, { name: 'Yes' })).status).toBe(201);
  });
});

describe('multi-select move', () => {
  it('refuses to put maintenance cards into a sprint, naming them, and changes nothing', async () => {
    const b = await board();
    const story = await server.admin.createCard(b.id, { title: 'story' });
    const incident = await server.admin.createCard(b.id, {
      title: 'incident',
      type: 'incident',
      stream: 'maintenance',
    });
    const sprint = await plan(b.id, 'Mixed');
    const res = await server.admin.post(`/api/boards/${b.id}/cards/bulk-move`, {
      cardIds: [story.id, incident.id],
      sprintId: sprint.id,
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ field: 'sprintId', message: expect.stringContaining(incident.key) });
    expect((await server.admin.cards(b.id)).every((c) => c.sprintId === null)).toBe(true);
  });

  it('gives a single move of a maintenance card into a sprint the bulk move’s answer, over HTTP and the socket', async () => {
    const b = await board();
    const incident = await server.admin.createCard(b.id, {
      title: 'incident',
      type: 'incident',
      stream: 'maintenance',
    });
    const sprint = await plan(b.id, 'Only development');
    const bulk = await server.admin.post(`/api/boards/${b.id}/cards/bulk-move`, {
      cardIds: [incident.id],
      sprintId: sprint.id,
    });
    const single = await server.admin.post(`/api/boards/${b.id}/cards/${incident.id}/move`, {
      sprintId: sprint.id,
    });
    expect(bulk).toMatchObject({
      status: 400,
      body: {
        error: 'VALIDATION_FAILED',
        field: 'sprintId',
        message: `sprintId: only development cards join sprints: ${incident.key}`,
      },
    });
    expect(single).toMatchObject({ status: bulk.status, body: bulk.body });
    const socket = await socketFor(server, server.admin);
    try {
      await socket.emitWithAck('board:join', { boardId: b.id });
      const ack = await socket.emitWithAck('card:move', {
        boardId: b.id,
        cardId: incident.id,
        sprintId: sprint.id,
      });
      expect(ack).toMatchObject({ ok: false, ...(bulk.body as object) });
    } finally {
      socket.close();
    }
    const after = (await server.admin.cards(b.id)).find((c) => c.id === incident.id)!;
    expect(after).toMatchObject({ sprintId: null, version: incident.version });
  });

  it('moves selected cards to the top of the backlog keeping their order, in one board event', async () => {
    const b = await board();
    const cards: Card[] = [];
    for (const t of ['one', 'two', 'three', 'four'])
      cards.push(await server.admin.createCard(b.id, { title: t }));
    const moved = await server.admin.ok(
      server.admin.post<Card[]>(`/api/boards/${b.id}/cards/bulk-move`, {
        cardIds: [cards[3]!.id, cards[2]!.id],
        position: 'top',
      }),
    );
    expect(moved.map((c) => c.title)).toEqual(['three', 'four']);
    expect((await server.admin.cards(b.id)).map((c) => c.title)).toEqual(['three', 'four', 'one', 'two']);
    const events = await server.admin.ok(
      server.admin.get<{ type: string }[]>(`/api/boards/${b.id}/events?after=0`),
    );
    expect(events.filter((e) => e.type === 'cards.moved')).toHaveLength(1);
  });
});

describe('the sprint board holds the active sprint’s cards only', () => {
  it('refuses a backlog card onto a development column, naming the field, and changes nothing', async () => {
    const b = await board();
    const stray = await server.admin.createCard(b.id, { title: 'Not planned' });
    const noSprint = await server.admin.post(`/api/boards/${b.id}/cards/${stray.id}/move`, {
      columnId: b.doing,
    });
    expect(noSprint.status).toBe(400);
    expect(noSprint.body).toMatchObject({ error: 'VALIDATION_FAILED', field: 'columnId' });
    expect((noSprint.body as { message: string }).message).toMatch(/no sprint is active/);

    const sprint = await plan(b.id, 'Sprint A');
    const planned = await server.admin.createCard(b.id, { title: 'Planned' });
    await moveInto(b.id, planned.id, { sprintId: sprint.id });
    await server.admin.ok(
      server.admin.post(`/api/boards/${b.id}/sprints/${sprint.id}/start`, {
        goal: 'Ship the planned card',
        startDate: today(),
        endDate: inDays(13),
      }),
    );
    const outside = await server.admin.post(`/api/boards/${b.id}/cards/${stray.id}/move`, {
      columnId: b.doing,
    });
    expect(outside.status).toBe(400);
    expect((outside.body as { message: string }).message).toMatch(/add the card to the sprint first/);
    const after = (await server.admin.cards(b.id)).find((c) => c.id === stray.id)!;
    expect(after).toMatchObject({ columnId: null, sprintId: null, version: stray.version });

    // Joining the sprint and taking a place on its board is one move.
    const joined = await moveInto(b.id, stray.id, { sprintId: sprint.id, columnId: b.doing });
    expect(joined.card).toMatchObject({ sprintId: sprint.id, columnId: b.doing });
    // Taken out of the sprint, it leaves the sprint board for the backlog.
    const back = await moveInto(b.id, stray.id, { sprintId: null });
    expect(back.card).toMatchObject({ sprintId: null, columnId: null });
  });
});

describe('editing a sprint', () => {
  it('renames it and changes goal and capacity; a blank name is refused, naming the field, and changes nothing', async () => {
    const b = await board();
    const sprint = await plan(b.id, 'Sprint draft', 8);
    const watcher = await socketFor(server, server.admin);
    try {
      await watcher.emitWithAck('board:join', { boardId: b.id });
      const seen: Sprint[] = [];
      watcher.on('board:events', (batch) => {
        for (const e of batch) if (e.type === 'sprint.updated') seen.push(e.payload.sprint as Sprint);
      });
      const blank = await server.admin.patch(`/api/boards/${b.id}/sprints/${sprint.id}`, { name: '   ' });
      expect(blank.status).toBe(400);
      expect(blank.body).toMatchObject({ error: 'VALIDATION_FAILED', field: 'name' });

      const saved = await server.admin.ok(
        server.admin.patch<Sprint>(`/api/boards/${b.id}/sprints/${sprint.id}`, {
          name: '  Sprint 7 – checkout  ',
          goal: 'Checkout in one page',
          capacity: 13,
        }),
      );
      expect(saved).toMatchObject({
        name: 'Sprint 7 – checkout',
        goal: 'Checkout in one page',
        capacity: 13,
      });
      const live = await eventually(() => seen.at(-1));
      expect(live).toMatchObject({ name: 'Sprint 7 – checkout', capacity: 13 });
      expect(seen).toHaveLength(1);
    } finally {
      watcher.close();
    }
  });
});
