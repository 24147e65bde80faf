/**
 * Undo on a board page, through the real BoardState: the user's accepted move is offered for
 * undoing; Ctrl+Z sends the move back made on the version the move left, shows it only once the
 * server accepts, and says who changed the card when the server refuses. An edit is undone with
 * the old values. Undos are not themselves offered for undoing.
 */
import { describe, expect, it } from 'vitest';
import type { BoardEvent, Card, Snapshot, UpdateCardInput } from '../../../../protocol/model.ts';
import { type Api, ApiError } from '../api.ts';
import { BoardState } from './board-state.svelte.ts';
import { aCard, aColumn, wholeFirstScreen } from './test-builders.ts';
import { FakeLease } from './test-lease.ts';
import { BoardUndo, isUndoKey, type UndoNotice } from './undo.svelte.ts';

const snapshot: Snapshot = {
  board: { id: 'b', name: 'Support', key: 'OPS', role: 'maintenance', seq: 0 },
  members: [],
  columns: [
    aColumn({ id: 'ready', name: 'Ready', stream: 'maintenance', category: 'todo' }),
    aColumn({ id: 'done', name: 'Done', stream: 'maintenance', category: 'done' }),
  ],
  sprints: [],
  cards: [
    aCard({ id: 'a', key: 'OPS-1', rank: 'a0', stream: 'maintenance', columnId: 'ready' }),
    aCard({ id: 'x', key: 'OPS-2', rank: 'b0', stream: 'maintenance', columnId: 'ready', version: 4 }),
    aCard({ id: 'c', key: 'OPS-3', rank: 'c0', stream: 'maintenance', columnId: 'ready' }),
  ],
  seq: 0,
};

let seq = 0;
function movedEvent(card: Card, to: Partial<Card>, actor = { id: 'me', label: 'Ann' }): BoardEvent {
  return {
    type: 'card.moved',
    boardId: 'b',
    seq: ++seq,
    cardId: card.id,
    actor,
    at: '2026-12-04T12:00:00.000Z',
    payload: {
      card: {
        id: card.id,
        version: card.version + 1,
        rank: to.rank ?? card.rank,
        columnId: to.columnId === undefined ? card.columnId : to.columnId,
        sprintId: card.sprintId,
        stream: card.stream,
        startedAt: null,
        doneAt: null,
        updatedAt: '2026-12-04T12:00:00.000Z',
      },
      from: { rank: card.rank, columnId: card.columnId, sprintId: card.sprintId, stream: card.stream },
    },
  } as BoardEvent;
}

async function openBoard() {
  seq = 0;
  const socket = new FakeLease();
  const patches: { cardId: string; input: UpdateCardInput }[] = [];
  let patchAnswer: (cardId: string, input: UpdateCardInput) => Promise<Card> = async () => {
    throw new Error('no answer');
  };
  const api = {
    snapshot: async () => structuredClone(snapshot),
    firstScreen: async () => wholeFirstScreen(structuredClone(snapshot)),
    updateCard: (_b: string, cardId: string, input: UpdateCardInput) => {
      patches.push({ cardId, input });
      return patchAnswer(cardId, input);
    },
  } as unknown as Api;
  const board = new BoardState(
    'b',
    'me',
    api,
    () => socket.lease,
    () => {},
  );
  await board.open();
  const notices: UndoNotice[] = [];
  const undo = new BoardUndo(board, (n) => notices.push(n));
  const card = (id: string) => board.byId.get(id)!;
  return {
    board,
    socket,
    undo,
    notices,
    patches,
    card,
    answerPatches(fn: typeof patchAnswer) {
      patchAnswer = fn;
    },
    /** The user drags `x` to Done and the server accepts. */
    async moveToDone() {
      const before = card('x');
      const sent = board.moveCard({ cardId: 'x', afterId: 'c', columnId: 'done' });
      const event = movedEvent(before, { rank: 'd0', columnId: 'done' });
      socket.moves.at(-1)!.answer({ ok: true, event });
      await sent;
      return event;
    },
  };
}

describe('undoing a move', () => {
  it('offers it, then moves the card back between its old neighbours on the version the move left', async () => {
    const { board, socket, undo, notices, card, moveToDone } = await openBoard();
    await moveToDone();
    expect(notices.at(-1)).toMatchObject({ message: 'Moved OPS-2 to Done', kind: 'info' });
    expect(notices.at(-1)!.undo).toBeTypeOf('function');

    const undoing = undo.undoLatest();
    const frame = socket.moves.at(-1)!.frame;
    expect(frame).toMatchObject({ cardId: 'x', afterId: 'a', columnId: 'ready', expectedVersion: 5 });
    // Not shown before the server accepts it.
    expect(card('x').columnId).toBe('done');
    expect(undo.busy).toBe(true);
    socket.moves.at(-1)!.answer({
      ok: true,
      event: movedEvent(card('x'), { rank: 'a5', columnId: 'ready' }),
    });
    await undoing;
    expect(card('x')).toMatchObject({ columnId: 'ready', version: 6 });
    expect(board.cards.map((c) => c.id)).toEqual(['a', 'x', 'c']);
    expect(notices.at(-1)).toEqual({ message: 'Undone: OPS-2 moved back to Ready.', kind: 'success' });
    // The undo is not itself offered for undoing, and nothing is left to undo.
    expect(undo.stack.size).toBe(0);
    await undo.undoLatest();
    expect(notices.at(-1)).toEqual({ message: 'Nothing to undo.', kind: 'info' });
  });

  it('is refused once someone else changed the card, says who, and leaves the card as they left it', async () => {
    const { socket, undo, notices, card, moveToDone } = await openBoard();
    await moveToDone();
    // Max moves it on to Ready meanwhile (live, over the socket).
    socket.deliver([
      movedEvent(card('x'), { rank: 'e0', columnId: 'ready' }, { id: 'max', label: 'Max Ops' }),
    ]);
    expect(card('x').version).toBe(6);

    const undoing = undo.undoLatest();
    expect(socket.moves.at(-1)!.frame.expectedVersion).toBe(5);
    socket.moves.at(-1)!.answer({
      ok: false,
      error: 'STALE_VERSION',
      message: 'OPS-2 was changed since version 5 (it is at version 6 now), so it was not moved',
      card: card('x'),
    });
    await undoing;
    expect(card('x')).toMatchObject({ columnId: 'ready', rank: 'e0', version: 6 });
    expect(notices.at(-1)).toEqual({
      message: 'Not undone: OPS-2 was changed by Max Ops after your move. Nothing was changed.',
      kind: 'error',
    });
    // Refused for good: it is no longer offered.
    expect(undo.stack.size).toBe(0);
  });

  it('keeps the change undoable when the refusal may pass (a full column)', async () => {
    const { socket, undo, notices, moveToDone } = await openBoard();
    await moveToDone();
    const undoing = undo.undoLatest();
    socket.moves.at(-1)!.answer({
      ok: false,
      error: 'WIP_LIMIT_REACHED',
      message: 'column "Ready" is at its WIP limit of 2',
    });
    await undoing;
    expect(notices.at(-1)).toEqual({
      message: 'Not undone: column "Ready" is at its WIP limit of 2',
      kind: 'error',
    });
    expect(undo.stack.size).toBe(1);
  });

  it('undoes the user’s changes newest first, each from the version the previous undo left', async () => {
    const { socket, undo, card, moveToDone, board } = await openBoard();
    await moveToDone(); // v4 → v5, Ready → Done
    const before = card('x');
    const sent = board.moveCard({ cardId: 'x', beforeId: 'a', columnId: 'ready' });
    socket.moves.at(-1)!.answer({ ok: true, event: movedEvent(before, { rank: 'a-', columnId: 'ready' }) }); // v6
    await sent;
    expect(undo.stack.size).toBe(2);

    let undoing = undo.undoLatest();
    expect(socket.moves.at(-1)!.frame).toMatchObject({ columnId: 'done', expectedVersion: 6 });
    socket.moves.at(-1)!.answer({ ok: true, event: movedEvent(card('x'), { rank: 'd0', columnId: 'done' }) }); // v7
    await undoing;
    undoing = undo.undoLatest();
    expect(socket.moves.at(-1)!.frame).toMatchObject({ columnId: 'ready', expectedVersion: 7 });
    socket.moves
      .at(-1)!
      .answer({ ok: true, event: movedEvent(card('x'), { rank: 'b0', columnId: 'ready' }) });
    await undoing;
    expect(card('x')).toMatchObject({ columnId: 'ready', rank: 'b0', version: 8 });
  });
});

describe('undoing an edit', () => {
  it('sends the old values on the version the edit left; the refusal of a stale one says so', async () => {
    const { board, undo, notices, patches, answerPatches, card } = await openBoard();
    answerPatches(
      async (cardId, input) => ({ ...card(cardId), ...input, version: input.version + 1 }) as Card,
    );
    await board.updateCard('x', { version: 4, title: 'Printer on fire', estimate: 3 });
    expect(notices.at(-1)).toMatchObject({ message: 'Changed OPS-2’s title and estimate', kind: 'info' });

    await undo.undoLatest();
    expect(patches.at(-1)).toEqual({ cardId: 'x', input: { title: 'Card x', estimate: null, version: 5 } });
    expect(card('x')).toMatchObject({ title: 'Card x', estimate: null, version: 6 });
    expect(notices.at(-1)).toEqual({
      message: 'Undone: OPS-2’s title and estimate restored.',
      kind: 'success',
    });
    expect(undo.stack.size).toBe(0);

    await board.updateCard('x', { version: 6, title: 'Again' });
    answerPatches(async () => {
      throw new ApiError(409, 'STALE_VERSION', 'card OPS-2 changed since version 7; reload it', undefined, {
        card: { ...card('x'), version: 8 },
      });
    });
    await undo.undoLatest();
    expect(notices.at(-1)).toEqual({
      message: 'Not undone: OPS-2 was changed by someone else after your edit. Nothing was changed.',
      kind: 'error',
    });
    expect(card('x')).toMatchObject({ title: 'Again', version: 8 });
  });
});

describe('the undo key', () => {
  it('is Ctrl+Z or Cmd+Z, not with Shift (redo) or Alt', () => {
    const key = (over: Partial<KeyboardEvent>) =>
      isUndoKey({ key: 'z', ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...over });
    expect(key({ ctrlKey: true })).toBe(true);
    expect(key({ metaKey: true })).toBe(true);
    expect(key({})).toBe(false);
    expect(key({ ctrlKey: true, shiftKey: true, key: 'Z' })).toBe(false);
    expect(key({ ctrlKey: true, altKey: true })).toBe(false);
  });
});
