import { describe, expect, it } from 'vitest';
import { decideWip, type WipColumn, wipOccupancy } from './wip.ts';

const column = (over: Partial<WipColumn> = {}): WipColumn => ({
  name: 'In progress',
  wipLimit: 3,
  wipPolicy: 'hard',
  expediteExempt: true,
  ...over,
});

describe('WIP policy', () => {
  it('allows a move while the column is under its limit', () => {
    expect(decideWip(column(), 2, 'standard')).toEqual({ kind: 'allow' });
  });

  it('refuses a move into a full hard-limited column, naming the column and its limit', () => {
    const d = decideWip(column(), 3, 'standard');
    expect(d.kind).toBe('refuse');
    expect(d.kind === 'refuse' && d.message).toBe('column "In progress" is at its WIP limit of 3');
  });

  it('accepts but warns when the column policy is warn', () => {
    const d = decideWip(column({ wipPolicy: 'warn' }), 5, 'standard');
    expect(d.kind).toBe('warn');
  });

  it('lets expedite items through when the column exempts them', () => {
    expect(decideWip(column(), 3, 'expedite')).toEqual({ kind: 'allow' });
  });

  it('stops expedite items too when the column does not exempt them', () => {
    expect(decideWip(column({ expediteExempt: false }), 3, 'expedite').kind).toBe('refuse');
  });

  it('never limits a column without a limit', () => {
    expect(decideWip(column({ wipLimit: null }), 1000, 'standard')).toEqual({ kind: 'allow' });
  });

  it('counts the cards in the column toward its limit, without exempt expedite items', () => {
    const doing = { ...column({ wipLimit: 2 }), id: 'doing' };
    const cards = [
      { columnId: 'doing', classOfService: 'standard' },
      { columnId: 'doing', classOfService: 'expedite' },
      { columnId: 'doing', classOfService: 'fixed_date' },
      { columnId: 'review', classOfService: 'standard' },
      { columnId: null, classOfService: 'standard' },
    ] as const;
    expect(wipOccupancy(doing, cards)).toBe(2);
    expect(wipOccupancy({ ...doing, expediteExempt: false }, cards)).toBe(3);
  });
});
