import { describe, expect, it } from 'vitest';
import type { Card, Column, Sprint } from '../../../../protocol/model.ts';
import {
  carryOverQuestion,
  currentOrLastSprint,
  daysLeft,
  splitForSprint,
  sprintDates,
  sprintLoads,
  sprintProgress,
} from './sprint-plan.ts';

const sprint = (id: string, over: Partial<Sprint> = {}): Sprint => ({
  id,
  name: id,
  goal: '',
  state: 'planned',
  capacity: null,
  startDate: null,
  endDate: null,
  startedAt: null,
  completedAt: null,
  committedPoints: null,
  completedPoints: null,
  carryOver: null,
  ...over,
});
const card = (id: string, over: Partial<Card> = {}) =>
  ({ id, key: id, stream: 'development', columnId: null, sprintId: null, estimate: null, ...over }) as Card;

describe('sprint planning', () => {
  it('adds up what each sprint holds against its capacity', () => {
    const loads = sprintLoads(
      [sprint('s1', { capacity: 10 }), sprint('s2')],
      [
        card('a', { sprintId: 's1', estimate: 5 }),
        card('b', { sprintId: 's1', estimate: 8 }),
        card('c', { sprintId: 's1' }),
      ],
    );
    expect(loads.get('s1')).toMatchObject({ committed: 13, unestimated: 1, capacity: 10, over: true });
    expect(loads.get('s1')?.fill).toBeCloseTo(1.3);
    expect(loads.get('s2')).toMatchObject({ committed: 0, fill: null, over: false });
  });

  it('keeps maintenance work out of sprints', () => {
    const { eligible, leftOut } = splitForSprint([card('a'), card('b', { stream: 'maintenance' })]);
    expect(eligible.map((c) => c.id)).toEqual(['a']);
    expect(leftOut.map((c) => c.id)).toEqual(['b']);
  });

  it('counts work in done columns as completed, and work added after the start as scope', () => {
    const columns = [
      { id: 'todo', category: 'todo' },
      { id: 'done', category: 'done' },
    ] as Column[];
    const s = sprint('s1', { state: 'active', committedPoints: 8 });
    const p = sprintProgress(
      s,
      [
        card('a', { sprintId: 's1', columnId: 'done', estimate: 5 }),
        card('b', { sprintId: 's1', columnId: 'todo', estimate: 3 }),
        card('c', { sprintId: 's1', estimate: 2 }),
      ],
      columns,
    );
    expect(p).toMatchObject({ committed: 8, scope: 10, completed: 5 });
    expect(p.unfinished.map((c) => c.id)).toEqual(['b', 'c']);
  });

  it('reports on the active sprint, else the one completed last', () => {
    const done1 = sprint('d1', { state: 'completed', completedAt: '2026-10-01T00:00:00Z' });
    const done2 = sprint('d2', { state: 'completed', completedAt: '2026-10-15T00:00:00Z' });
    expect(currentOrLastSprint([done2, done1])?.id).toBe('d2');
    expect(currentOrLastSprint([done1, sprint('a', { state: 'active' })])?.id).toBe('a');
    expect(currentOrLastSprint([sprint('p')])).toBeUndefined();
  });

  it('proposes two weeks from today and counts the days left', () => {
    expect(sprintDates(new Date(2026, 10, 20))).toEqual({ startDate: '2026-11-20', endDate: '2026-12-03' });
    expect(daysLeft('2026-12-03', new Date(2026, 11, 1, 15, 0))).toBe(2);
    expect(daysLeft('2026-12-03', new Date(2026, 11, 4))).toBe(-1);
  });
});

describe('the complete-sprint question', () => {
  it('agrees with the number of cards and points', () => {
    expect(carryOverQuestion(1, 3)).toBe('1 unfinished card (3 points) goes to');
    expect(carryOverQuestion(2, 1)).toBe('2 unfinished cards (1 point) go to');
    expect(carryOverQuestion(1, 0)).toBe('1 unfinished card (0 points) goes to');
  });
});
