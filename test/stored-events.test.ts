/**
 * Board events stored by older versions still read: rows of shapes that changed since are put in the
 * log as those versions wrote them, the migrations run, and the catch-up and card-history routes
 * (whose responses are serialised against the event union) give them back as typed events.
 */
import { sql } from 'kysely';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up as giveColumnEventsVersions } from '../migrations/2026-12-04T0010-column-event-versions.ts';
import { type BoardEvent, BoardEventSchema } from '../protocol/events.ts';
import type { Card, Snapshot } from '../protocol/model.ts';
import { startServer, type TestServer } from './harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

/** Records an event row exactly as an older server wrote it, under the board's next number. */
async function storedByAnOlderVersion(boardId: string, type: string, cardId: string | null, payload: object) {
  await sql`
    with next as (update boards set seq = seq + 1 where id = ${boardId} returning seq)
    insert into board_events (board_id, seq, type, card_id, actor_label, payload)
    select ${boardId}, next.seq, ${type}, ${cardId}, 'before the upgrade', ${JSON.stringify(payload)}::jsonb
    from next`.execute(server.db);
}

describe('events stored in older shapes', () => {
  it('read back through catch-up and card history as typed events', async () => {
    const boardId = (await server.admin.createBoard('Old log')).id;
    const card = await server.admin.createCard(boardId, { title: 'Moved long ago' });
    const snapshot = await server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${boardId}`));
    const { version: _, ...columnBeforeVersions } = snapshot.columns[0]!;
    const since = snapshot.seq;

    // Before 2026-11-22T0004 columns had no version, and neither had their events' columns.
    await storedByAnOlderVersion(boardId, 'column.created', null, { column: columnBeforeVersions });
    // Before card.moved carried a placement (commit 727fad1), it carried the whole card.
    const whole: Card = { ...card, rank: 'zz', version: card.version + 1 };
    const from = { rank: card.rank, columnId: null, sprintId: null, stream: card.stream };
    await storedByAnOlderVersion(boardId, 'card.moved', card.id, { card: whole, from });
    await giveColumnEventsVersions(server.db);

    const caughtUp = await server.admin.get<BoardEvent[]>(`/api/boards/${boardId}/events?after=${since}`);
    expect(caughtUp.status).toBe(200);
    expect(caughtUp.body.map((e) => e.type)).toEqual(['column.created', 'card.moved']);
    const [column, move] = caughtUp.body;
    expect(column).toMatchObject({ payload: { column: { ...columnBeforeVersions, version: 1 } } });
    // The whole card is still a placement (and more): nothing of it is lost on the way.
    expect(move).toMatchObject({ cardId: card.id, payload: { card: whole, from } });

    const history = await server.admin.get<BoardEvent[]>(`/api/boards/${boardId}/cards/${card.id}/history`);
    expect(history.status).toBe(200);
    expect(history.body.map((e) => e.type)).toEqual(['card.moved', 'card.created']);
    expect(history.body[0]).toEqual(move);

    for (const event of [...caughtUp.body, ...history.body])
      expect(Value.Check(BoardEventSchema, event)).toBe(true);
  });
});
