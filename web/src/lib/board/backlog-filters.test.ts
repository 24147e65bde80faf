import { describe, expect, it } from 'vitest';
import { BacklogFilters } from './backlog-filters.svelte.ts';
import { aCard } from './test-builders.ts';

const open1 = aCard({ id: '1', key: 'A-1', title: 'Login page' });
const done2 = aCard({ id: '2', key: 'A-2', title: 'Login audit', columnId: 'done' });
const open3 = aCard({ id: '3', key: 'A-3', title: 'Export' });
const cards = [open1, done2, open3];
const isDone = (c: { columnId: string | null }) => c.columnId === 'done';

describe('the backlog status filter', () => {
  it('shows open work by default: done cards leave the ranked backlog', () => {
    const filters = new BacklogFilters();
    expect(filters.apply(cards, isDone).map((c) => c.key)).toEqual(['A-1', 'A-3']);
    expect(filters.changed).toBe(false);
  });

  it('shows the done cards (the archive) or all of them, in backlog order', () => {
    const filters = new BacklogFilters();
    filters.status = 'done';
    expect(filters.apply(cards, isDone).map((c) => c.key)).toEqual(['A-2']);
    filters.status = 'all';
    expect(filters.apply(cards, isDone).map((c) => c.key)).toEqual(['A-1', 'A-2', 'A-3']);
    expect(filters.changed).toBe(true);
  });

  it('combines with the search, and Clear filters goes back to open work', () => {
    const filters = new BacklogFilters();
    filters.status = 'all';
    filters.text = 'login';
    expect(filters.apply(cards, isDone).map((c) => c.key)).toEqual(['A-1', 'A-2']);
    filters.clear();
    expect(filters.status).toBe('open');
    expect(filters.apply(cards, isDone).map((c) => c.key)).toEqual(['A-1', 'A-3']);
  });
});
