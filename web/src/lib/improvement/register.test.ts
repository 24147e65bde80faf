import { describe, expect, it } from 'vitest';
import type { ImprovementItem } from '../../../../protocol/improvement.ts';
import {
  filterItems,
  measure,
  nextQuarters,
  prefillFromWarranty,
  quartersOf,
  upsertItem,
} from './register.ts';

function item(over: Partial<ImprovementItem>): ImprovementItem {
  return {
    id: 'i1',
    boardId: 'b',
    number: 1,
    title: 'Automate rollback',
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
    createdAt: '2026-12-01T00:00:00Z',
    updatedAt: '2026-12-01T00:00:00Z',
    ...over,
  };
}

describe('the register', () => {
  const items = [
    item({ id: 'a', number: 1, status: 'done', dueQuarter: '2027-Q1' }),
    item({ id: 'b', number: 2, status: 'planned', dueQuarter: '2027-Q2' }),
    item({ id: 'c', number: 3, status: 'proposed' }),
  ];

  it('filters by status (open = not closed) and by quarter', () => {
    expect(filterItems(items, 'open', '').map((i) => i.id)).toEqual(['b', 'c']);
    expect(filterItems(items, 'done', '').map((i) => i.id)).toEqual(['a']);
    expect(filterItems(items, '', '2027-Q2').map((i) => i.id)).toEqual(['b']);
    expect(filterItems(items, '', 'none').map((i) => i.id)).toEqual(['c']);
    expect(quartersOf(items)).toEqual(['2027-Q1', '2027-Q2']);
  });

  it('keeps the newer revision and the number order', () => {
    const newer = item({ id: 'b', number: 2, status: 'in_progress', revision: 3 });
    const merged = upsertItem(items, newer);
    expect(merged.find((i) => i.id === 'b')?.status).toBe('in_progress');
    expect(
      upsertItem(merged, item({ id: 'b', number: 2, revision: 2 })).find((i) => i.id === 'b')?.revision,
    ).toBe(3);
    expect(upsertItem(items, item({ id: 'z', number: 0 })).map((i) => i.id)).toEqual(['z', 'a', 'b', 'c']);
  });

  it('says a measure in words and offers the coming quarters', () => {
    expect(measure({ text: 'by hand', value: 40 }, 'min')).toBe('40 min (by hand)');
    expect(measure({ text: '', value: 2 }, '')).toBe('2');
    expect(measure({ text: 'scripted', value: null }, 'min')).toBe('scripted');
    expect(measure({ text: '', value: null }, '')).toBe('–');
    expect(nextQuarters(new Date('2026-11-15T00:00:00Z'), 3)).toEqual(['2026-Q4', '2027-Q1', '2027-Q2']);
  });
});

describe('an item raised from a warranty requirement not met', () => {
  it('takes the measurement as baseline and the requirement as target, linked to the release', () => {
    const p = prefillFromWarranty(
      { releaseId: 'r1', version: '5.0.0' },
      {
        id: 'q',
        category: 'availability',
        statement: 'Payments stay up',
        target: { comparison: 'gte', value: 99.9, unit: '%' },
        measured: { value: 99.5, measuredAt: '2026-12-04T09:00:00.000Z' },
        status: 'not_met',
      },
    );
    expect(p).toEqual({
      title: 'Warranty not met in 5.0.0: Payments stay up',
      baselineText: '99.5 % measured in hyper-care (2026-12-04)',
      baselineValue: 99.5,
      targetText: 'availability: ≥ 99.9 %',
      targetValue: 99.9,
      unit: '%',
      releaseIds: ['r1'],
    });
  });
});
