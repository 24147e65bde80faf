/** The cumulative flow diagram over a window of days, on a board whose history is older than the window. */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Card, FlowReport, Snapshot } from '../protocol/model.ts';
import { startServer, type TestServer } from './harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const DAY = 86_400_000;

describe('cumulative flow over a window', () => {
  it('starts each card where its history before the window left it, and follows the window’s moves day by day', async () => {
    const boardId = (await server.admin.createBoard('Old AMS')).id;
    const snap = await server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${boardId}`));
    const col = (name: string) => snap.columns.find((c) => c.stream === 'maintenance' && c.name === name)!.id;
    const [ready, doing, done] = [col('Ready'), col('In progress'), col('Done')];
    const ticket = (title: string) =>
      server.admin.createCard(boardId, { title, type: 'incident', stream: 'maintenance' });
    const move = (card: Card, columnId: string | null) =>
      server.admin.ok(server.admin.post(`/api/boards/${boardId}/cards/${card.id}/move`, { columnId }));

    // Long ago: `parked` went Ready → In progress and stayed; `gone` went into Ready and back out.
    const parked = await ticket('Parked in progress');
    const gone = await ticket('Back in the backlog');
    await move(parked, ready);
    await move(parked, doing);
    await move(gone, ready);
    await move(gone, null);
    await sql`update board_events set created_at = now() - interval '30 days' where board_id = ${boardId}`.execute(
      server.db,
    );
    // Inside the window: `fresh` entered Ready three days ago, then finished today.
    const fresh = await ticket('Fresh');
    await move(fresh, ready);
    // The move's own event (the incident's SLA clock records events of its own beside it).
    await sql`update board_events set created_at = now() - interval '3 days'
      where board_id = ${boardId} and seq = (select max(seq) from board_events
        where board_id = ${boardId} and type = 'card.moved')`.execute(server.db);
    await move(fresh, done);

    const report = await server.admin.ok(
      server.admin.get<FlowReport>(`/api/boards/${boardId}/reports/flow?days=7`),
    );
    const day = (daysAgo: number) =>
      report.cumulativeFlow.find(
        (d) => d.date === new Date(Date.now() - daysAgo * DAY).toISOString().slice(0, 10),
      )!.counts;
    // Six days ago only the history before the window counts: the parked card in progress.
    expect(day(6)).toMatchObject({ [ready]: 0, [doing]: 1, [done]: 0 });
    expect(day(3)).toMatchObject({ [ready]: 1, [doing]: 1, [done]: 0 });
    expect(day(0)).toMatchObject({ [ready]: 0, [doing]: 1, [done]: 1 });
  });

  it('counts a card out of its column from the day it is deleted or handed to the other stream (moved, edited or in bulk)', async () => {
    const boardId = (await server.admin.createBoard('Leaving AMS')).id;
    const snap = await server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${boardId}`));
    const ready = snap.columns.find((c) => c.stream === 'maintenance' && c.name === 'Ready')!.id;
    const ticket = async (title: string) => {
      const card = await server.admin.createCard(boardId, { title, type: 'incident', stream: 'maintenance' });
      await server.admin.ok(
        server.admin.post(`/api/boards/${boardId}/cards/${card.id}/move`, { columnId: ready }),
      );
      return card;
    };
    const deleted = await ticket('Deleted');
    const handed = await ticket('Handed to development');
    const edited = await ticket('Edited into development');
    const handedThenDeleted = await ticket('Handed over, then deleted');
    await ticket('Stays');
    await sql`update board_events set created_at = now() - interval '2 days' where board_id = ${boardId}`.execute(
      server.db,
    );
    await server.admin.ok(server.admin.delete(`/api/boards/${boardId}/cards/${deleted.id}`));
    await server.admin.ok(
      server.admin.post(`/api/boards/${boardId}/cards/bulk-move`, {
        cardIds: [handed.id, handedThenDeleted.id],
        stream: 'development',
      }),
    );
    const current = (await server.admin.cards(boardId)).find((c) => c.id === edited.id)!;
    await server.admin.ok(
      server.admin.patch(`/api/boards/${boardId}/cards/${edited.id}`, {
        version: current.version,
        stream: 'development',
      }),
    );
    await server.admin.ok(server.admin.delete(`/api/boards/${boardId}/cards/${handedThenDeleted.id}`));

    const report = await server.admin.ok(
      server.admin.get<FlowReport>(`/api/boards/${boardId}/reports/flow?days=3`),
    );
    expect(report.cumulativeFlow.map((d) => d.counts[ready])).toEqual([5, 5, 1]);
  });
});
