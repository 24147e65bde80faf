import { describe, expect, it } from 'vitest';
import { isCardDone, isDoneCategory, matchesStatus } from './card-status.ts';

const columns = new Map([
  ['todo', 'todo'],
  ['doing', 'in_progress'],
  ['shipped', 'done'],
] as const);
const category = (id: string) => columns.get(id as 'todo');

describe('a done card', () => {
  it('is one in a done column, whatever its name', () => {
    expect(isCardDone({ columnId: 'shipped' }, category)).toBe(true);
    expect(isCardDone({ columnId: 'doing' }, category)).toBe(false);
    expect(isCardDone({ columnId: 'todo' }, category)).toBe(false);
  });

  it('is not one in the backlog (no column) or in a column this board does not know', () => {
    expect(isCardDone({ columnId: null }, category)).toBe(false);
    expect(isCardDone({ columnId: 'gone' }, category)).toBe(false);
  });

  it('is decided by the column category alone', () => {
    expect(isDoneCategory('done')).toBe(true);
    expect(isDoneCategory('in_progress')).toBe(false);
    expect(isDoneCategory(null)).toBe(false);
  });
});

describe('the status filter', () => {
  it('shows open cards by default, done cards in the archive, and both for all', () => {
    expect(matchesStatus(false, 'open')).toBe(true);
    expect(matchesStatus(true, 'open')).toBe(false);
    expect(matchesStatus(true, 'done')).toBe(true);
    expect(matchesStatus(false, 'done')).toBe(false);
    expect(matchesStatus(true, 'all')).toBe(true);
    expect(matchesStatus(false, 'all')).toBe(true);
  });
});
