import { describe, expect, it } from 'vitest';
import {
  checkHeldAt,
  checkQuarter,
  type ImprovementStatus,
  type ItemFacts,
  isLate,
  lastQuarters,
  mayDeleteReview,
  mayEditItem,
  parseQuarter,
  quarterEnd,
  quarterOf,
  reviewSchedule,
  reviewsPerQuarter,
  targetMet,
  transition,
} from './improvement.ts';

const held = (day: string) => ({ scheduledOn: day, heldAt: new Date(`${day}T10:00:00Z`) });
const scheduled = (day: string) => ({ scheduledOn: day, heldAt: null });

function item(over: Partial<ItemFacts> = {}): ItemFacts {
  return {
    status: 'proposed',
    revision: 1,
    ownerId: 'u-ada',
    dueQuarter: '2027-Q1',
    baseline: { text: '3 failed releases a quarter', value: 3 },
    target: { text: 'at most 1', value: 1 },
    result: '',
    ...over,
  };
}

describe('quarters', () => {
  it('reads and checks "2027-Q1"', () => {
    expect(parseQuarter('2027-Q1')).toEqual({ year: 2027, quarter: 1 });
    for (const bad of ['2027-Q5', '2027-Q0', '2027Q1', '27-Q1', '2027-q1', '1999-Q4', '2027-Q1 '])
      expect(parseQuarter(bad), bad).toBeNull();
    expect(checkQuarter('dueQuarter', '2027-Q9')).toMatchObject({ field: 'dueQuarter', conflict: false });
    expect(checkQuarter('dueQuarter', null)).toBeNull();
  });

  it('knows the quarter of a day, its last day, and the last few quarters', () => {
    expect(quarterOf('2026-12-31')).toBe('2026-Q4');
    expect(quarterOf(new Date('2027-04-01T00:30:00Z'))).toBe('2027-Q2');
    expect(quarterEnd({ year: 2027, quarter: 1 })).toBe('2027-03-31');
    expect(quarterEnd({ year: 2028, quarter: 4 })).toBe('2028-12-31');
    expect(lastQuarters('2027-02-10', 4)).toEqual(['2026-Q2', '2026-Q3', '2026-Q4', '2027-Q1']);
  });
});

describe('the review schedule', () => {
  it('with no review and no cadence start, nothing is due yet', () => {
    expect(reviewSchedule({ cadenceWeeks: 4, since: null, reviews: [], today: '2026-12-04' })).toMatchObject({
      nextDueOn: null,
      overdue: false,
      daysSinceLastReview: null,
      lastHeldAt: null,
    });
  });

  it('is due a cadence after the cadence was set, before the first review', () => {
    const s = reviewSchedule({ cadenceWeeks: 2, since: '2026-11-01', reviews: [], today: '2026-11-20' });
    expect(s).toMatchObject({
      cadenceDueOn: '2026-11-15',
      nextDueOn: '2026-11-15',
      overdue: true,
      daysOverdue: 5,
    });
  });

  it('is due a cadence after the last review held', () => {
    const s = reviewSchedule({
      cadenceWeeks: 4,
      since: '2026-01-01',
      reviews: [held('2026-10-01'), held('2026-11-20')],
      today: '2026-12-04',
    });
    expect(s).toMatchObject({
      lastHeldAt: '2026-11-20T10:00:00.000Z',
      daysSinceLastReview: 14,
      cadenceDueOn: '2026-12-18',
      nextDueOn: '2026-12-18',
      overdue: false,
      daysOverdue: 0,
    });
  });

  it('a review scheduled earlier than the cadence wants brings the date forward; a later one does not', () => {
    const base = { cadenceWeeks: 4, since: null, today: '2026-12-04' };
    expect(reviewSchedule({ ...base, reviews: [held('2026-11-20'), scheduled('2026-12-10')] })).toMatchObject(
      {
        nextScheduledOn: '2026-12-10',
        nextDueOn: '2026-12-10',
      },
    );
    expect(reviewSchedule({ ...base, reviews: [held('2026-11-20'), scheduled('2027-01-30')] })).toMatchObject(
      {
        nextScheduledOn: '2027-01-30',
        nextDueOn: '2026-12-18',
      },
    );
  });

  it('a scheduled review that was not held makes it overdue from its day', () => {
    const s = reviewSchedule({
      cadenceWeeks: 8,
      since: null,
      reviews: [scheduled('2026-12-01')],
      today: '2026-12-04',
    });
    expect(s).toMatchObject({ nextDueOn: '2026-12-01', overdue: true, daysOverdue: 3 });
  });

  it('on the due day itself it is due, not overdue', () => {
    const s = reviewSchedule({ cadenceWeeks: 1, since: '2026-11-27', reviews: [], today: '2026-12-04' });
    expect(s).toMatchObject({ nextDueOn: '2026-12-04', overdue: false });
  });

  it('counts the reviews held per quarter over the last quarters, current last', () => {
    const at = ['2026-02-01', '2026-11-01', '2026-12-01', '2025-01-01'].map(
      (d) => new Date(`${d}T09:00:00Z`),
    );
    expect(reviewsPerQuarter(at, '2026-12-04', 4)).toEqual([
      { quarter: '2026-Q1', held: 1 },
      { quarter: '2026-Q2', held: 0 },
      { quarter: '2026-Q3', held: 0 },
      { quarter: '2026-Q4', held: 2 },
    ]);
  });

  it('a review is recorded once held, not ahead of time; a held one stays', () => {
    const now = new Date('2026-12-04T10:00:00Z');
    expect(checkHeldAt(new Date('2026-12-04T10:00:30Z'), now)).toBeNull();
    expect(checkHeldAt(new Date('2026-12-05T10:00:00Z'), now)).toMatchObject({ field: 'heldAt' });
    expect(mayDeleteReview({ heldAt: null })).toBeNull();
    expect(mayDeleteReview({ heldAt: now })).toMatchObject({ conflict: true });
  });
});

describe('an improvement item’s status', () => {
  const walk = (from: ItemFacts, to: ImprovementStatus, extra = {}) =>
    transition(from, { to, ...extra }, from.revision);

  it('goes proposed → planned → in progress → done, and closing needs a result', () => {
    const planned = walk(item(), 'planned');
    expect(planned).toMatchObject({ ok: true, status: 'planned', closed: false });
    const doing = walk(item({ status: 'planned' }), 'in_progress');
    expect(doing).toMatchObject({ ok: true, status: 'in_progress' });
    expect(walk(item({ status: 'in_progress' }), 'done')).toMatchObject({
      ok: false,
      refusal: { field: 'result', conflict: false },
    });
    expect(walk(item({ status: 'in_progress' }), 'done', { result: '  ', resultValue: 1 })).toMatchObject({
      ok: false,
      refusal: { field: 'result' },
    });
    expect(
      walk(item({ status: 'in_progress' }), 'done', { result: ' 1 failed release in Q1 ', resultValue: 1 }),
    ).toEqual({
      ok: true,
      status: 'done',
      result: '1 failed release in Q1',
      resultValue: 1,
      closed: true,
    });
  });

  it('may be dropped from any open status, with the reason', () => {
    for (const status of ['proposed', 'planned', 'in_progress'] as const) {
      expect(walk(item({ status }), 'dropped').ok).toBe(false);
      expect(walk(item({ status }), 'dropped', { result: 'superseded by IMP-4' })).toMatchObject({
        ok: true,
        status: 'dropped',
        closed: true,
      });
    }
  });

  it('never skips a step, and closed items stay closed', () => {
    expect(walk(item(), 'done', { result: 'x' })).toMatchObject({
      ok: false,
      refusal: { field: 'status', conflict: true },
    });
    expect(walk(item(), 'in_progress')).toMatchObject({ ok: false, refusal: { field: 'status' } });
    expect(walk(item(), 'proposed')).toMatchObject({ ok: false, refusal: { field: 'status' } });
    for (const status of ['done', 'dropped'] as const)
      for (const to of ['proposed', 'planned', 'in_progress', 'done', 'dropped'] as const)
        expect(walk(item({ status, result: 'r' }), to, { result: 'again' })).toMatchObject({
          ok: false,
          refusal: { field: 'status', conflict: true },
        });
  });

  it('may step back: in progress → planned → proposed (a pause, not a closure)', () => {
    expect(walk(item({ status: 'in_progress' }), 'planned')).toMatchObject({ ok: true, status: 'planned' });
    expect(walk(item({ status: 'planned' }), 'proposed')).toMatchObject({ ok: true, status: 'proposed' });
  });

  it('planning needs an owner, a due quarter and a measurable target', () => {
    expect(walk(item({ ownerId: null }), 'planned')).toMatchObject({
      ok: false,
      refusal: { field: 'ownerId' },
    });
    expect(walk(item({ dueQuarter: null }), 'planned')).toMatchObject({
      ok: false,
      refusal: { field: 'dueQuarter' },
    });
    expect(walk(item({ target: { text: '', value: null } }), 'planned')).toMatchObject({
      ok: false,
      refusal: { field: 'target' },
    });
    expect(walk(item({ target: { text: '', value: 2 } }), 'planned').ok).toBe(true);
    // dropping a half-formed proposal needs none of that
    expect(walk(item({ ownerId: null, dueQuarter: null }), 'dropped', { result: 'not worth it' }).ok).toBe(
      true,
    );
  });

  it('is refused on a stale revision, naming revision', () => {
    expect(transition(item({ revision: 3 }), { to: 'planned' }, 2)).toMatchObject({
      ok: false,
      refusal: { field: 'revision', conflict: true },
    });
  });

  it('is late when still open after its due quarter', () => {
    expect(isLate({ status: 'planned', dueQuarter: '2026-Q3' }, '2026-10-01')).toBe(true);
    expect(isLate({ status: 'planned', dueQuarter: '2026-Q3' }, '2026-09-30')).toBe(false);
    expect(isLate({ status: 'done', dueQuarter: '2026-Q3' }, '2026-12-01')).toBe(false);
    expect(isLate({ status: 'proposed', dueQuarter: null }, '2026-12-01')).toBe(false);
  });
});

describe('the target', () => {
  it('reads its direction from the baseline', () => {
    expect(targetMet(3, 1, 1)).toBe(true);
    expect(targetMet(3, 1, 2)).toBe(false);
    expect(targetMet(60, 90, 95)).toBe(true);
    expect(targetMet(60, 90, 80)).toBe(false);
    expect(targetMet(null, 5, 5)).toBe(true);
    expect(targetMet(3, 1, null)).toBeNull();
    expect(targetMet(3, null, 1)).toBeNull();
  });
});

describe('who may change an item', () => {
  const dev = { manages: false, mayWorkOwn: true, isOwner: true, changesOwner: false };
  it('managers any; a developer the items they own, without handing them on or deleting them', () => {
    expect(
      mayEditItem({ ...dev, manages: true, isOwner: false, changesOwner: true, deletes: true }),
    ).toBeNull();
    expect(mayEditItem(dev)).toBeNull();
    expect(mayEditItem({ ...dev, isOwner: false })).toMatchObject({ field: 'itemId' });
    expect(mayEditItem({ ...dev, changesOwner: true })).toMatchObject({ field: 'ownerId' });
    expect(mayEditItem({ ...dev, deletes: true })).toMatchObject({ field: 'itemId' });
    expect(mayEditItem({ ...dev, mayWorkOwn: false })).toMatchObject({ field: 'itemId' });
  });
});
