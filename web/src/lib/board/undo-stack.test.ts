/**
 * The undo stack and what an undo sends: a move back to where the card was (between the cards that
 * now surround its old rank), an edit back to the old values, each made on the version the user's
 * change left so the server can refuse it if anyone changed the card since.
 */
import { describe, expect, it } from 'vitest';
import type { Card } from '../../../../protocol/model.ts';
import { aCard } from './test-builders.ts';
import {
  type EditEntry,
  editBack,
  type MoveEntry,
  moveBack,
  previousValues,
  UNDO_DEPTH,
  UndoStack,
} from './undo-stack.svelte.ts';

const moved = (over: Partial<MoveEntry> = {}): MoveEntry => ({
  id: 0,
  kind: 'move',
  cardId: 'x',
  key: 'K-x',
  version: 3,
  madeOn: 2,
  from: { rank: 'b0', columnId: 'ready', sprintId: null, stream: 'maintenance' },
  to: { rank: 'd0', columnId: 'done', sprintId: null, stream: 'maintenance' },
  ...over,
});

const edited = (over: Partial<EditEntry> = {}): Omit<EditEntry, 'id'> => ({
  kind: 'edit',
  cardId: 'x',
  key: 'K-x',
  version: 5,
  madeOn: 4,
  previous: { title: 'Old title' },
  ...over,
});

describe('the undo stack', () => {
  it('keeps the user’s changes newest last and offers the newest first', () => {
    const stack = new UndoStack();
    expect(stack.latest).toBeUndefined();
    const first = stack.push(moved());
    const second = stack.push(edited({ cardId: 'y', key: 'K-y' }));
    expect(stack.latest).toEqual(second);
    expect(stack.size).toBe(2);
    stack.remove(second.id);
    expect(stack.latest).toEqual(first);
  });

  it(`keeps the last ${UNDO_DEPTH} changes only`, () => {
    const stack = new UndoStack();
    for (let i = 0; i < UNDO_DEPTH + 5; i++) stack.push(moved({ cardId: `c${i}` }));
    expect(stack.size).toBe(UNDO_DEPTH);
    expect(stack.entries[0]!.cardId).toBe('c5');
    expect(stack.latest!.cardId).toBe(`c${UNDO_DEPTH + 4}`);
  });

  it('after an undo, the user’s earlier change of the same card is undoable from the new version', () => {
    const stack = new UndoStack();
    // Moved (v1 → v2), then edited (v2 → v3) the same card; another card in between.
    const move = stack.push(moved({ madeOn: 1, version: 2 }));
    const other = stack.push(moved({ cardId: 'y', madeOn: 2, version: 3 }));
    const edit = stack.push(edited({ madeOn: 2, version: 3 }));
    stack.undone(edit, 4); // the edit's undo left the card at v4, as the move left it
    expect(stack.find(edit.id)).toBeUndefined();
    expect(stack.find(move.id)!.version).toBe(4);
    expect(stack.find(other.id)!.version).toBe(3); // another card: untouched
  });

  it('does not carry the version over a change someone else made in between', () => {
    const stack = new UndoStack();
    // The user moved it (v1 → v2); someone else changed it (v3); the user edited it (v3 → v4).
    const move = stack.push(moved({ madeOn: 1, version: 2 }));
    const edit = stack.push(edited({ madeOn: 3, version: 4 }));
    stack.undone(edit, 5);
    // Undoing the move now would undo the other person's change too: the server must refuse it.
    expect(stack.find(move.id)!.version).toBe(2);
  });

  it('forgets a deleted card’s changes', () => {
    const stack = new UndoStack();
    stack.push(moved());
    const kept = stack.push(moved({ cardId: 'y' }));
    stack.push(edited());
    stack.forget('x');
    expect(stack.entries).toEqual([kept]);
  });
});

describe('the move that undoes a move', () => {
  const board = (cards: Partial<Card>[]) => cards.map((c) => aCard({ id: c.id!, ...c }));

  it('goes back between its old neighbours, into its old column, made on the version the move left', () => {
    const cards = board([
      { id: 'a', rank: 'a0' },
      { id: 'b', rank: 'b1' },
      { id: 'c', rank: 'c0' },
      { id: 'x', rank: 'd0', columnId: 'done' },
    ]);
    expect(moveBack(moved(), cards)).toEqual({
      cardId: 'x',
      afterId: 'a', // the card now just above rank b0
      columnId: 'ready',
      expectedVersion: 3,
    });
  });

  it('with its old upper neighbour gone, lands after the card now above that spot', () => {
    const cards = board([
      { id: 'c', rank: 'c0' },
      { id: 'x', rank: 'd0' },
    ]);
    // Nothing is above b0 any more: placed before the card below it.
    expect(moveBack(moved(), cards)).toMatchObject({ beforeId: 'c' });
    expect(moveBack(moved(), cards)).not.toHaveProperty('afterId');
  });

  it('names only what the move changed: a re-rank sends no column, a sprint move only the sprint', () => {
    const rerank = moved({
      from: { rank: 'b0', columnId: 'ready', sprintId: null, stream: 'maintenance' },
      to: { rank: 'a0', columnId: 'ready', sprintId: null, stream: 'maintenance' },
    });
    const cards = board([
      { id: 'x', rank: 'a0' },
      { id: 'a', rank: 'a5' },
    ]);
    expect(moveBack(rerank, cards)).toEqual({ cardId: 'x', afterId: 'a', expectedVersion: 3 });
    const planned = moved({
      from: { rank: 'b0', columnId: null, sprintId: null, stream: 'development' },
      to: { rank: 'b0', columnId: null, sprintId: 's1', stream: 'development' },
    });
    expect(moveBack(planned, cards)).toEqual({
      cardId: 'x',
      afterId: 'a',
      sprintId: null,
      expectedVersion: 3,
    });
  });

  it('hands a card back to its stream and its old column there', () => {
    const handed = moved({
      from: { rank: 'b0', columnId: 'doing', sprintId: null, stream: 'maintenance' },
      to: { rank: 'b0', columnId: null, sprintId: null, stream: 'development' },
    });
    expect(moveBack(handed, board([{ id: 'x', rank: 'b0' }]))).toEqual({
      cardId: 'x',
      stream: 'maintenance',
      columnId: 'doing',
      expectedVersion: 3,
    });
  });
});

describe('the edit that undoes an edit', () => {
  it('sends the old values of the fields the edit changed, made on the version it left', () => {
    const before = aCard({ id: 'x', title: 'Old title', estimate: null, priority: 'low' });
    const previous = previousValues(before, { title: 'New title', estimate: 5 });
    expect(previous).toEqual({ title: 'Old title', estimate: null });
    expect(editBack({ ...edited({ previous }), id: 1 })).toEqual({
      title: 'Old title',
      estimate: null,
      version: 5,
    });
  });
});
