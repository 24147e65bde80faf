/**
 * Opening a board in two answers (issue 19): the first screen's cards are shown at once, then the
 * rest of the board is merged in without undoing, losing or repeating an event that arrived between
 * the two answers, whichever of them is newer.
 */
import { describe, expect, it } from 'vitest';
import type { FirstScreen } from '../../../../protocol/first-screen.ts';
import type { BoardEvent, Card, Snapshot } from '../../../../protocol/model.ts';
import type { Api } from '../api.ts';
import { BoardState } from './board-state.svelte.ts';
import { aCard } from './test-builders.ts';
import { FakeLease } from './test-lease.ts';

/** Something the test resolves when it chooses: the rest of the board "still on its way". */
function later<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const actor = { id: 'u2', label: 'Bo' };
const at = '2026-12-05T10:00:00.000Z';
const board = (seq: number) => ({ id: 'b', name: 'Big', key: 'K', role: 'developer' as const, seq });

/** Five cards a1..a5 in rank order; the first screen shows the first three. */
const cards = ['a1', 'a2', 'a3', 'a4', 'a5'].map((rank, i) => aCard({ id: `c${i + 1}`, rank, boardId: 'b' }));
const whole = (seq: number, list: Card[] = cards): Snapshot => ({
  board: board(seq),
  members: [],
  columns: [],
  sprints: [],
  cards: list,
  seq,
});
const first = (seq: number): FirstScreen => ({
  ...whole(seq, cards.slice(0, 3)),
  view: 'backlog',
  totals: { cards: 5 },
  complete: false,
});

const moved = (seq: number, id: string, rank: string, version = 2): BoardEvent => ({
  type: 'card.moved',
  boardId: 'b',
  seq,
  cardId: id,
  actor,
  at,
  payload: {
    card: {
      id,
      version,
      rank,
      columnId: null,
      sprintId: null,
      stream: 'development',
      startedAt: null,
      doneAt: null,
      updatedAt: at,
    },
    from: { rank: 'a0', columnId: null, sprintId: null, stream: 'development' },
  },
});
const created = (seq: number, card: Card): BoardEvent => ({
  type: 'card.created',
  boardId: 'b',
  seq,
  cardId: card.id,
  actor,
  at,
  payload: { card },
});

function openBoard(
  firstAnswer: FirstScreen,
  rest: Promise<Snapshot>,
  eventsAfter = async (): Promise<BoardEvent[]> => [],
) {
  const socket = new FakeLease();
  let wholeAsked = 0;
  const api = {
    firstScreen: async () => firstAnswer,
    snapshot: () => {
      wholeAsked++;
      return rest;
    },
    eventsAfter,
  } as unknown as Api;
  const state = new BoardState(
    'b',
    'me',
    api,
    () => socket.lease,
    () => {},
  );
  const heard: number[] = [];
  state.onEvent((e) => heard.push(e.seq));
  return { state, socket, heard, wholeAsked: () => wholeAsked };
}

const settled = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
};
const keys = (state: BoardState) => state.cards.map((c) => c.id);

describe('a big board opened in two answers', () => {
  it('shows the first screen at once with the board’s total, then every card', async () => {
    const rest = later<Snapshot>();
    const { state } = openBoard(first(5), rest.promise);
    await state.open();
    expect(keys(state)).toEqual(['c1', 'c2', 'c3']);
    expect(state.cardTotal).toBe(5);
    expect(state.loadingTotal).toBe(5);
    rest.resolve(whole(5));
    await settled();
    expect(keys(state)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    expect(state.loadingTotal).toBeNull();
    expect(state.cardTotal).toBe(5);
  });

  it('keeps a move that arrived while the rest, read before it, was on its way', async () => {
    const rest = later<Snapshot>();
    const { state, socket, heard, wholeAsked } = openBoard(first(5), rest.promise);
    await state.open();
    // Another person moves c2 to the bottom (after c5), and c5, not yet held, to the top.
    socket.deliver([moved(6, 'c2', 'a6'), moved(7, 'c5', 'a0')]);
    expect(keys(state)).toEqual(['c1', 'c3', 'c2']); // c2 goes below what is held; c5 is not held yet
    // The rest was read at sequence 5, before both moves.
    rest.resolve(whole(5));
    await settled();
    expect(keys(state)).toEqual(['c5', 'c1', 'c3', 'c4', 'c2']);
    expect(state.lastSeq).toBe(7);
    expect(heard).toEqual([6, 7]); // each event heard once, the replay is silent
    expect(wholeAsked()).toBe(1); // the move of a card not yet held did not start a reload
  });

  it('fetches the events up to a newer rest first, so none is skipped or heard twice', async () => {
    const rest = later<Snapshot>();
    const c6 = aCard({ id: 'c6', rank: 'a7', boardId: 'b' });
    const afterMoves: Card[] = [
      cards[0]!,
      cards[2]!,
      cards[3]!,
      cards[4]!,
      { ...cards[1]!, rank: 'a6', version: 2 },
      c6,
    ];
    const asked: number[] = [];
    const { state, socket, heard } = openBoard(first(5), rest.promise, async () => {
      asked.push(state.lastSeq);
      return [moved(6, 'c2', 'a6'), created(7, c6)];
    });
    await state.open();
    // The rest was read at 7; event 8 arrives over the socket before it does.
    socket.deliver([moved(8, 'c1', 'a8')]);
    rest.resolve(whole(7, afterMoves));
    await settled();
    expect(asked).toEqual([5]);
    expect(heard).toEqual([6, 7, 8]);
    expect(keys(state)).toEqual(['c3', 'c4', 'c5', 'c2', 'c6', 'c1']);
    expect(state.lastSeq).toBe(8);
  });
});
