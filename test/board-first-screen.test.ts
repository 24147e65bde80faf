/**
 * Opening a board in two answers (issue 19): the first answer carries what the first screen of the
 * view shows, bounded whatever the board's size, at the same sequence number as the whole board; and
 * an opened board shows a renamed member's new name at once, though a rename is no board event.
 */
import { generateNKeysBetween } from 'fractional-indexing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIRST_BACKLOG_CARDS,
  FIRST_COLUMN_CARDS,
  FIRST_UP_NEXT_CARDS,
  type FirstScreen,
} from '../protocol/first-screen.ts';
import type { Column, Snapshot } from '../protocol/model.ts';
import { memberWithRole, startServer, type TestServer } from './harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

/** `n` backlog cards straight into the database, in rank order after any the board has. */
async function seedCards(boardId: string, n: number, extra: { stream?: string; columnId?: string } = {}) {
  const { rows } = await sql<{ key: string; top: string | null; counter: number }>`
    select b.key, b.card_counter as counter, (select max(rank) from cards where board_id = b.id) as top
    from boards b where b.id = ${boardId}`.execute(server.db);
  const { key, top, counter } = rows[0]!;
  const ranks = generateNKeysBetween(top, null, n);
  await sql`
    insert into cards (board_id, number, key, title, description, type, stream, rank, column_id)
    select ${boardId}, ${counter} + r.ord, ${key} || '-' || (${counter} + r.ord), 'Seeded ' || r.ord, '', 'story',
      ${extra.stream ?? 'development'}, r.rank, ${extra.columnId ?? null}::uuid
    from unnest(${ranks}::text[]) with ordinality as r(rank, ord)`.execute(server.db);
  await sql`update boards set card_counter = card_counter + ${n} where id = ${boardId}`.execute(server.db);
  // A seeded row is no board event: a change through the API moves the sequence on, as real cards do.
}

const firstScreen = (boardId: string, view?: string) =>
  server.admin.ok(
    server.admin.get<FirstScreen>(`/api/boards/${boardId}/first-screen${view ? `?view=${view}` : ''}`),
  );

describe('the first answer of an opening', () => {
  it('holds the backlog’s first cards in rank order, the same for a big board as a small one, at the whole board’s sequence number', async () => {
    const small = (await server.admin.createBoard('Small')).id;
    const big = (await server.admin.createBoard('Big')).id;
    await seedCards(small, 40);
    await seedCards(big, 2_000);
    await server.admin.createCard(small, { title: 'on top', position: 'top' });
    await server.admin.createCard(big, { title: 'on top', position: 'top' });

    const smallFirst = await firstScreen(small);
    expect(smallFirst.cards).toHaveLength(41);
    expect(smallFirst).toMatchObject({ view: 'backlog', complete: true, totals: { cards: 41 } });

    const res = await server.admin.request<FirstScreen>('GET', `/api/boards/${big}/first-screen`, undefined, {
      'accept-encoding': 'gzip',
    });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    const first = res.body;
    expect(first).toMatchObject({ view: 'backlog', complete: false, totals: { cards: 2_001 } });
    const whole = await server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${big}`));
    expect(first.seq).toBe(whole.seq);
    expect(first.board).toEqual(whole.board);
    expect(first.members).toEqual(whole.members);
    expect(first.columns).toEqual(whole.columns);
    // the first screen is exactly the head of the whole board, card for card
    expect(first.cards).toEqual(whole.cards.slice(0, FIRST_BACKLOG_CARDS));
    expect(first.cards[0]!.title).toBe('on top');
    // bounded: a board 50 times bigger sends no more than its first screen
    expect(JSON.stringify(first).length).toBeLessThan(JSON.stringify(whole).length / 10);
  });

  it('for Kanban holds each maintenance column’s first cards and each lane’s Up next, bounded however full the columns', async () => {
    const boardId = (await server.admin.createBoard('Kanban first')).id;
    const whole0 = await server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${boardId}`));
    const done = whole0.columns.find((c: Column) => c.stream === 'maintenance' && c.category === 'done')!;
    await seedCards(boardId, 500, { stream: 'maintenance' });
    await seedCards(boardId, 300, { stream: 'maintenance', columnId: done.id });
    await server.admin.createCard(boardId, { title: 'moves the sequence on' });
    const first = await firstScreen(boardId, 'kanban');
    expect(first.view).toBe('kanban');
    expect(first.totals.cards).toBe(801);
    const inDone = first.cards.filter((c) => c.columnId === done.id);
    const upNext = first.cards.filter((c) => c.stream === 'maintenance' && c.columnId === null);
    expect(inDone).toHaveLength(FIRST_COLUMN_CARDS);
    expect(upNext).toHaveLength(FIRST_UP_NEXT_CARDS); // one lane: no expedite cards
    const whole = await server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${boardId}`));
    expect(first.seq).toBe(whole.seq);
    expect(inDone).toEqual(whole.cards.filter((c) => c.columnId === done.id).slice(0, FIRST_COLUMN_CARDS));
    const ranks = first.cards.map((c) => c.rank);
    expect(ranks).toEqual([...ranks].sort());
  });

  it('is refused to someone not on the board, and names a view it does not know', async () => {
    const boardId = (await server.admin.createBoard('Guarded first')).id;
    const other = await memberWithRole(server, (await server.admin.createBoard('Other')).id, 'developer');
    expect((await other.get(`/api/boards/${boardId}/first-screen`)).status).toBe(404);
    const bad = await server.admin.get<{ field?: string; message: string }>(
      `/api/boards/${boardId}/first-screen?view=gantt`,
    );
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('view');
  });
});

describe('an opened board after a member is renamed', () => {
  it('shows the new name at once, though the board did not change', async () => {
    const boardId = (await server.admin.createBoard('Renames')).id;
    const dev = await memberWithRole(server, boardId, 'developer', 'Dana');
    const before = await server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${boardId}`));
    await firstScreen(boardId); // both answers are now cached at this sequence number
    const name = (s: { members: { userId: string; name: string }[] }) =>
      s.members.find((m) => m.userId === dev.userId)?.name;
    expect(name(before)).toMatch(/^Dana/);

    // No route renames a person yet; whatever does it writes this row and records no board event.
    await sql`update users set name = 'Dana Renamed' where id = ${dev.userId}`.execute(server.db);

    const after = await server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${boardId}`));
    expect(after.seq).toBe(before.seq);
    expect(name(after)).toBe('Dana Renamed');
    expect(name(await firstScreen(boardId))).toBe('Dana Renamed');
  });
});
