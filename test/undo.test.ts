/**
 * Undo on the server: the web app undoes a move with a move conditional on the card still being at
 * the version the user's move left it (`expectedVersion`), and an edit with an edit made on that
 * version. Raced against another person's change of the same card, exactly one wins and the card is
 * as the winner left it: an undo never lands on top of someone else's change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardEvent, Card, Column, Snapshot } from '../protocol/model.ts';
import type { MoveAck } from '../protocol/socket.ts';
import { type ApiClient, memberWithRole, socketFor, startServer, type TestServer } from './harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

interface Desk {
  boardId: string;
  ann: ApiClient;
  max: ApiClient;
  column: (name: string) => Column;
}

async function supportDesk(name: string): Promise<Desk> {
  const boardId = (await server.admin.createBoard(name)).id;
  const snap = await server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${boardId}`));
  const column = (n: string) => snap.columns.find((c) => c.stream === 'maintenance' && c.name === n)!;
  const [ann, max] = await Promise.all([
    memberWithRole(server, boardId, 'maintenance', 'Ann'),
    memberWithRole(server, boardId, 'maintenance', 'Max'),
  ]);
  return { boardId, ann, max, column };
}

const ticket = (desk: Desk, title: string) =>
  desk.ann.createCard(desk.boardId, { title, type: 'incident', stream: 'maintenance' });

async function move(who: ApiClient, desk: Desk, card: Card, body: Record<string, unknown>) {
  return who.post<{ card: Card; event: BoardEvent; error?: string; field?: string }>(
    `/api/boards/${desk.boardId}/cards/${card.id}/move`,
    body,
  );
}

async function current(desk: Desk, card: Card): Promise<Card> {
  return server.admin.ok(server.admin.get<Card>(`/api/boards/${desk.boardId}/cards/${card.id}`));
}

/** The card's own events (its SLA clock records events of its own, after their commits). */
async function historyOf(desk: Desk, card: Card): Promise<BoardEvent[]> {
  const events = await server.admin.ok(
    server.admin.get<BoardEvent[]>(`/api/boards/${desk.boardId}/cards/${card.id}/history`),
  );
  return events.filter((e) => e.type.startsWith('card.'));
}

describe('a move conditional on the version (what an undo sends)', () => {
  it('goes through while the card is as the move left it, and is refused (409, nothing written) once someone changed it', async () => {
    const desk = await supportDesk('Conditional moves');
    const card = await ticket(desk, 'Printer on fire');
    const moved = await server.admin.ok(move(desk.ann, desk, card, { columnId: desk.column('Verify').id }));

    // Max edits the card: the version moves on.
    const edited = await server.admin.ok(
      desk.max.patch<Card>(`/api/boards/${desk.boardId}/cards/${card.id}`, {
        version: moved.card.version,
        priority: 'high',
      }),
    );
    const eventsBefore = (await historyOf(desk, card)).length;
    const refused = await move(desk.ann, desk, card, {
      columnId: desk.column('Ready').id,
      expectedVersion: moved.card.version,
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'STALE_VERSION', field: 'expectedVersion' });
    expect((refused.body as unknown as { message: string }).message).toContain(
      `${card.key} was changed since version ${moved.card.version}`,
    );
    // The refusal carries the card as it is, for the client to show.
    expect((refused.body as unknown as { card: Card }).card.version).toBe(edited.version);
    const after = await current(desk, card);
    expect(after.columnId).toBe(desk.column('Verify').id);
    expect(after.version).toBe(edited.version);
    expect(await historyOf(desk, card)).toHaveLength(eventsBefore);

    // Made on the card as it is now, the same move goes through.
    const back = await move(desk.ann, desk, card, {
      columnId: desk.column('Ready').id,
      expectedVersion: edited.version,
    });
    expect(back.status).toBe(200);
    expect(back.body.card.columnId).toBe(desk.column('Ready').id);
    expect(back.body.card.version).toBe(edited.version + 1);
  });

  it('is refused the same way over the socket', async () => {
    const desk = await supportDesk('Conditional socket moves');
    const card = await ticket(desk, 'Socket card');
    const moved = await server.admin.ok(move(desk.ann, desk, card, { columnId: desk.column('Verify').id }));
    await server.admin.ok(move(desk.max, desk, card, { columnId: desk.column('Done').id }));
    const socket = await socketFor(server, desk.ann);
    try {
      const ack = (await socket.emitWithAck('card:move', {
        boardId: desk.boardId,
        cardId: card.id,
        columnId: desk.column('Ready').id,
        expectedVersion: moved.card.version,
      })) as MoveAck;
      expect(ack).toMatchObject({ ok: false, error: 'STALE_VERSION', field: 'expectedVersion' });
      expect((await current(desk, card)).columnId).toBe(desk.column('Done').id);
    } finally {
      socket.close();
    }
  });

  it('still obeys the WIP limit: an undo into a full column is refused, not forced in', async () => {
    const desk = await supportDesk('Undo into a full column');
    const verify = desk.column('Verify'); // limit 2 by default
    await server.admin.ok(
      server.admin.patch(`/api/boards/${desk.boardId}/columns/${verify.id}`, {
        version: verify.version,
        wipPolicy: 'hard',
      }),
    );
    const [a, b, c] = [await ticket(desk, 'A'), await ticket(desk, 'B'), await ticket(desk, 'C')];
    await server.admin.ok(move(desk.ann, desk, a!, { columnId: verify.id }));
    const mine = await server.admin.ok(move(desk.ann, desk, a!, { columnId: desk.column('Done').id }));
    await server.admin.ok(move(desk.max, desk, b!, { columnId: verify.id }));
    await server.admin.ok(move(desk.max, desk, c!, { columnId: verify.id }));
    const undo = await move(desk.ann, desk, a!, { columnId: verify.id, expectedVersion: mine.card.version });
    expect(undo.status).toBe(409);
    expect(undo.body).toMatchObject({ error: 'WIP_LIMIT_REACHED' });
    expect((await current(desk, a!)).columnId).toBe(desk.column('Done').id);
  });
});

describe('an undo raced against another person changing the same card', () => {
  const ROUNDS = 12;

  it('against an edit: exactly one wins each time, and the card is as the winner left it', async () => {
    const desk = await supportDesk('Undo against an edit');
    const ready = desk.column('Ready');
    // In progress has a WIP limit, so half the undos take the locked, WIP-counting path.
    const targets = [desk.column('In progress'), desk.column('Verify')];
    const wins = { undo: 0, edit: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const card = await ticket(desk, `Race ${round}`);
      const from = targets[round % 2]!;
      const placed = await server.admin.ok(move(desk.ann, desk, card, { columnId: from.id }));
      // Ann's move (to be undone), then at once: her undo and Max's edit, both made on that version.
      const mine = await server.admin.ok(move(desk.ann, desk, card, { columnId: ready.id }));
      const [undo, edit] = await Promise.all([
        move(desk.ann, desk, card, { columnId: from.id, expectedVersion: mine.card.version }),
        desk.max.patch<Card & { error?: string }>(`/api/boards/${desk.boardId}/cards/${card.id}`, {
          version: mine.card.version,
          title: `Race ${round}, edited by Max`,
        }),
      ]);
      expect([undo.status, edit.status].sort()).toEqual([200, 409]);
      const now = await current(desk, card);
      expect(now.version).toBe(mine.card.version + 1);
      if (undo.status === 200) {
        wins.undo++;
        expect(edit.body.error).toBe('STALE_VERSION');
        expect(now).toMatchObject({ columnId: from.id, rank: placed.card.rank, title: `Race ${round}` });
      } else {
        wins.edit++;
        expect(undo.body.error).toBe('STALE_VERSION');
        expect(now).toMatchObject({ columnId: ready.id, title: `Race ${round}, edited by Max` });
      }
      // Out of the way: an undo that won put the card back in a WIP-limited column, which would fill.
      await server.admin.ok(move(desk.ann, desk, card, { columnId: desk.column('Done').id }));
    }
    expect(wins.undo + wins.edit).toBe(ROUNDS);
  });

  it('against a move: the undo never lands after the other move; if it went first, the other move applies on top', async () => {
    const desk = await supportDesk('Undo against a move');
    const [ready, verify, done] = [desk.column('Ready'), desk.column('Verify'), desk.column('Done')];
    for (let round = 0; round < ROUNDS; round++) {
      const card = await ticket(desk, `Race ${round}`);
      const mine = await server.admin.ok(move(desk.ann, desk, card, { columnId: verify.id }));
      const [undo, other] = await Promise.all([
        move(desk.ann, desk, card, { columnId: ready.id, expectedVersion: mine.card.version }),
        move(desk.max, desk, card, { columnId: done.id }),
      ]);
      // Max's move has no condition: it always goes through.
      expect(other.status).toBe(200);
      const now = await current(desk, card);
      expect(now.columnId).toBe(done.id);
      const moves = (await historyOf(desk, card)).filter((e) => e.type === 'card.moved').reverse();
      if (undo.status === 200) {
        // The undo committed first, from the version Ann's move left; Max's move came after it.
        expect(moves.map((e) => e.actor.id)).toEqual([desk.ann.userId, desk.ann.userId, desk.max.userId]);
        expect(undo.body.event.seq).toBeLessThan(other.body.event.seq);
        expect(now.version).toBe(mine.card.version + 2);
      } else {
        expect(undo.status).toBe(409);
        expect(undo.body.error).toBe('STALE_VERSION');
        expect(moves.map((e) => e.actor.id)).toEqual([desk.ann.userId, desk.max.userId]);
        expect(now.version).toBe(mine.card.version + 1);
      }
    }
  });

  it('two conditional moves from the same version (two undos, two tabs): exactly one wins', async () => {
    const desk = await supportDesk('Two undos');
    const [ready, verify, done] = [desk.column('Ready'), desk.column('Verify'), desk.column('Done')];
    for (let round = 0; round < ROUNDS; round++) {
      const card = await ticket(desk, `Race ${round}`);
      const mine = await server.admin.ok(move(desk.ann, desk, card, { columnId: verify.id }));
      const results = await Promise.all([
        move(desk.ann, desk, card, { columnId: ready.id, expectedVersion: mine.card.version }),
        move(desk.max, desk, card, { columnId: done.id, expectedVersion: mine.card.version }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const winner = results.find((r) => r.status === 200)!;
      const now = await current(desk, card);
      expect(now.columnId).toBe(winner.body.card.columnId);
      expect(now.version).toBe(mine.card.version + 1);
    }
  });
});
