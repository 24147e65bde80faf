/**
 * The Improvement panel's state follows the board's events: an item raised or moved elsewhere shows at
 * once, and an overview read that answers after a newer event never undoes it.
 */
import { describe, expect, it } from 'vitest';
import type { BoardEvent } from '../../../../protocol/events.ts';
import type { ImprovementItem, ImprovementOverview } from '../../../../protocol/improvement.ts';
import type { Api } from '../api.ts';
import type { BoardState } from '../board/board-state.svelte.ts';
import { Improvement } from './improvement.svelte.ts';

function item(over: Partial<ImprovementItem> = {}): ImprovementItem {
  return {
    id: 'i1',
    boardId: 'b',
    number: 1,
    title: 'Script the rollback',
    description: '',
    reviewId: null,
    owner: null,
    baseline: { text: '', value: null },
    target: { text: '', value: null },
    unit: '',
    dueQuarter: null,
    status: 'proposed',
    result: '',
    resultValue: null,
    targetMet: null,
    late: false,
    closedAt: null,
    releases: [],
    cards: [],
    revision: 1,
    createdAt: '2026-12-04T00:00:00Z',
    updatedAt: '2026-12-04T00:00:00Z',
    ...over,
  };
}

function overviewWith(items: ImprovementItem[]): ImprovementOverview {
  return {
    settings: { cadenceWeeks: 4, since: null, custom: false },
    schedule: {
      cadenceWeeks: 4,
      lastHeldAt: null,
      daysSinceLastReview: null,
      nextScheduledOn: null,
      cadenceDueOn: null,
      nextDueOn: null,
      overdue: false,
      daysOverdue: 0,
    },
    reviewsPerQuarter: [],
    reviews: [],
    items,
  };
}

/** A board that hands its events to the panel, and an API whose overview answers when told. */
function arrange() {
  const listeners = new Set<(e: BoardEvent) => void>();
  const board = {
    boardId: 'b',
    onEvent: (l: (e: BoardEvent) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  } as unknown as BoardState;
  let answer: (o: ImprovementOverview) => void = () => {};
  const api = {
    request: () => new Promise<ImprovementOverview>((resolve) => (answer = resolve)),
  } as unknown as Api;
  let seq = 0;
  const emit = (
    type: 'improvement.item_changed' | 'improvement.item_deleted' | 'card.deleted',
    payload: unknown,
  ) => {
    const e = {
      type,
      boardId: 'b',
      seq: ++seq,
      cardId: null,
      actor: { id: null, label: 'Max' },
      at: '',
      payload,
    };
    for (const l of listeners) l(e as BoardEvent);
  };
  return { state: new Improvement(api, board), emit, answer: (o: ImprovementOverview) => answer(o) };
}

describe('the Improvement panel’s state', () => {
  it('shows an item raised and moved elsewhere at once, and a late read does not undo the move', async () => {
    const { state, emit, answer } = arrange();
    const stop = state.follow();
    const loading = state.load();
    emit('improvement.item_changed', { item: item(), change: 'raised' });
    emit('improvement.item_changed', { item: item({ status: 'planned', revision: 2 }), change: 'status' });
    expect(state.items.map((i) => [i.number, i.status])).toEqual([[1, 'planned']]);
    // the overview was read before the move
    answer(overviewWith([item(), item({ id: 'i2', number: 2, title: 'Shorter go/no-go' })]));
    await loading;
    expect(state.status).toBe('ready');
    expect(state.items.map((i) => [i.number, i.status, i.revision])).toEqual([
      [1, 'planned', 2],
      [2, 'proposed', 1],
    ]);
    // a linked card deleted: its link goes (the server cascades it, with no item event)
    emit('improvement.item_changed', {
      item: item({
        revision: 3,
        status: 'planned',
        cards: [{ cardId: 'c1', key: 'OPS-1', title: 'Slow', type: 'incident' }],
      }),
      change: 'edited',
    });
    emit('card.deleted', { cardId: 'c1', key: 'OPS-1', title: 'Slow' });
    expect(state.items[0]?.cards).toEqual([]);
    emit('improvement.item_deleted', { itemId: 'i2', number: 2 });
    expect(state.items.map((i) => i.number)).toEqual([1]);
    stop();
    emit('improvement.item_changed', { item: item({ id: 'i3', number: 3 }), change: 'raised' });
    expect(state.items.map((i) => i.number)).toEqual([1]);
  });
});
