/**
 * Dates people type (due dates, sprint dates) are real calendar days in a sane range, a sprint has a
 * maximum length, and a report stays small even over a sprint stored with absurd dates.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Burndown, Card, Snapshot, Sprint } from '../protocol/model.ts';
import { startServer, type TestServer } from './harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const today = () => new Date().toISOString().slice(0, 10);
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
const IMPOSSIBLE = ['2024-02-30', '2024-13-45', '0000-00-00', '2023-02-29'];
const ABSURD = ['0001-01-01', '9999-12-31', '1999-12-31', '2100-01-01'];

/** The board's sequence number: it moves with every accepted change. */
async function eventCount(boardId: string) {
  return (await server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${boardId}`))).seq;
}

describe('due dates', () => {
  it('refuses an impossible or absurd due date with a 400 naming dueDate, creating and changing nothing', async () => {
    const boardId = (await server.admin.createBoard('Due dates')).id;
    const card = await server.admin.createCard(boardId, {
      title: 'Renew the certificate',
      dueDate: '2024-02-29',
    });
    expect(card.dueDate).toBe('2024-02-29');
    const events = await eventCount(boardId);

    for (const dueDate of [...IMPOSSIBLE, ...ABSURD]) {
      const created = await server.admin.post(`/api/boards/${boardId}/cards`, {
        title: 'Bad date',
        type: 'story',
        dueDate,
      });
      expect(created.status, dueDate).toBe(400);
      expect(created.body, dueDate).toMatchObject({ error: 'VALIDATION_FAILED', field: 'dueDate' });
      const edited = await server.admin.patch(`/api/boards/${boardId}/cards/${card.id}`, {
        version: card.version,
        dueDate,
      });
      expect(edited.status, dueDate).toBe(400);
      expect(edited.body, dueDate).toMatchObject({ error: 'VALIDATION_FAILED', field: 'dueDate' });
    }
    const cards = await server.admin.cards(boardId);
    expect(cards.map((c: Card) => [c.title, c.dueDate, c.version])).toEqual([
      ['Renew the certificate', '2024-02-29', card.version],
    ]);
    expect(await eventCount(boardId)).toBe(events);
  });
});

describe('sprint dates', () => {
  async function plannedSprint() {
    const boardId = (await server.admin.createBoard('Sprint dates')).id;
    const sprint = await server.admin.ok(
      server.admin.post<Sprint>(`/api/boards/${boardId}/sprints`, { name: 'Sprint 1' }),
    );
    return { boardId, sprint };
  }
  const start = (boardId: string, sprintId: string, startDate: string, endDate: string) =>
    server.admin.post(`/api/boards/${boardId}/sprints/${sprintId}/start`, { goal: 'g', startDate, endDate });

  it('refuses a sprint from 0001-01-01 to 9999-12-31, impossible days and one longer than 8 weeks, naming the field; the sprint stays planned', async () => {
    const { boardId, sprint } = await plannedSprint();
    const events = await eventCount(boardId);
    const refusals: [string, string, string][] = [
      ['0001-01-01', '9999-12-31', 'startDate'],
      [today(), '9999-12-31', 'endDate'],
      ...IMPOSSIBLE.map((d): [string, string, string] => [d, inDays(13), 'startDate']),
      ...IMPOSSIBLE.map((d): [string, string, string] => [today(), d, 'endDate']),
      [today(), inDays(56), 'endDate'], // 57 days
      [inDays(3), today(), 'endDate'],
      [today(), today(), 'endDate'],
    ];
    for (const [startDate, endDate, field] of refusals) {
      const res = await start(boardId, sprint.id, startDate, endDate);
      expect(res.status, `${startDate}..${endDate}`).toBe(400);
      expect(res.body, `${startDate}..${endDate}`).toMatchObject({ error: 'VALIDATION_FAILED', field });
    }
    const sprints = await server.admin.ok(server.admin.get<Sprint[]>(`/api/boards/${boardId}/sprints`));
    expect(sprints).toMatchObject([{ id: sprint.id, state: 'planned', startDate: null, endDate: null }]);
    expect(await eventCount(boardId)).toBe(events);

    // Eight weeks to the day is allowed.
    const longest = await start(boardId, sprint.id, today(), inDays(55));
    expect(longest.status).toBe(200);
  });
});

describe('a report over a sprint stored with absurd dates', () => {
  it('answers a bounded burndown (at most 56 days, up to today) for a sprint stored as 0001-01-01 to 9999-12-31', async () => {
    const boardId = (await server.admin.createBoard('Old data')).id;
    const card = await server.admin.createCard(boardId, { title: 'Work', estimate: 5 });
    const sprint = await server.admin.ok(
      server.admin.post<Sprint>(`/api/boards/${boardId}/sprints`, { name: 'Forever' }),
    );
    await server.admin.ok(
      server.admin.post(`/api/boards/${boardId}/cards/${card.id}/move`, { sprintId: sprint.id }),
    );
    await server.admin.ok(
      server.admin.post(`/api/boards/${boardId}/sprints/${sprint.id}/start`, {
        goal: 'g',
        startDate: today(),
        endDate: inDays(13),
      }),
    );
    // As the sprint was stored before dates were checked.
    await sql`update sprints set start_date = '0001-01-01', end_date = '9999-12-31' where id = ${sprint.id}`.execute(
      server.db,
    );
    const res = await server.admin.get<Burndown>(`/api/boards/${boardId}/reports/burndown/${sprint.id}`);
    expect(res.status).toBe(200);
    expect(res.body.committed).toBe(5);
    expect(res.body.days).toHaveLength(56);
    expect(res.body.days.at(-1)).toMatchObject({ date: today(), remaining: 5 });

    // Dates no JavaScript Date can hold (before year 1, infinity) are read as the nearest it can.
    await sql`update sprints set start_date = '4713-01-01 BC', end_date = 'infinity' where id = ${sprint.id}`.execute(
      server.db,
    );
    const extreme = await server.admin.get<Burndown>(`/api/boards/${boardId}/reports/burndown/${sprint.id}`);
    expect(extreme.status).toBe(200);
    expect(extreme.body.days).toHaveLength(56);
    expect(extreme.body.days.at(-1)).toMatchObject({ date: today(), remaining: 5 });
  });

  it('still answers the board snapshot and the flow report with at most 90 days', async () => {
    const boardId = (await server.admin.createBoard('Long window')).id;
    const flow = await server.admin.get<{ cumulativeFlow: unknown[] }>(
      `/api/boards/${boardId}/reports/flow?days=999`,
    );
    expect(flow.status).toBe(200);
    expect(flow.body.cumulativeFlow).toHaveLength(90);
    expect((await server.admin.get<Snapshot>(`/api/boards/${boardId}`)).status).toBe(200);
  });
});
