import { describe, expect, it } from 'vitest';
import { configWithDefaults, LifecycleSchema } from '../../protocol/plugin.ts';
import {
  decideOnFailure,
  decideOnRecovery,
  deliveryOutcome,
  doneColumn,
  reviewColumn,
} from './ticket-lifecycle.ts';

const reopen = configWithDefaults(LifecycleSchema);
const raiseNew = configWithDefaults(LifecycleSchema, { onRecurrence: 'new' });

describe('a plugin ticket over its life', () => {
  it('is created on the first failure and counted on the next ones', () => {
    expect(decideOnFailure(null, reopen)).toBe('create');
    expect(decideOnFailure({ resolved: false, occurrenceSeen: false }, reopen)).toBe('count');
  });

  it('counts a redelivered or replayed occurrence once', () => {
    expect(decideOnFailure({ resolved: false, occurrenceSeen: true }, reopen)).toBe('unchanged');
    expect(decideOnFailure({ resolved: true, occurrenceSeen: true }, raiseNew)).toBe('unchanged');
  });

  it('is reopened, or replaced by a new ticket, when it fails after resolution', () => {
    expect(decideOnFailure({ resolved: true, occurrenceSeen: false }, reopen)).toBe('reopen');
    expect(decideOnFailure({ resolved: true, occurrenceSeen: false }, raiseNew)).toBe('raise_new');
  });

  it('is resolved, sent to review or annotated on recovery, per config', () => {
    expect(decideOnRecovery({ resolved: false }, reopen)).toEqual({ kind: 'resolve' });
    expect(decideOnRecovery({ resolved: false }, { ...reopen, onRecovery: 'review' })).toEqual({
      kind: 'review',
    });
    expect(decideOnRecovery({ resolved: false }, { ...reopen, onRecovery: 'annotate' })).toEqual({
      kind: 'annotate',
    });
    expect(decideOnRecovery(null, reopen).kind).toBe('ignore');
    expect(decideOnRecovery({ resolved: true }, reopen).kind).toBe('ignore');
  });

  it('tries the move again without a new note when the source had already recovered', () => {
    expect(decideOnRecovery({ resolved: false, recovered: true }, reopen)).toEqual({
      kind: 'resolve',
      alreadyRecovered: true,
    });
    expect(
      decideOnRecovery({ resolved: false, recovered: true }, { ...reopen, onRecovery: 'annotate' }),
    ).toEqual({ kind: 'ignore', reason: 'the source has already recovered' });
  });
});

describe('target columns', () => {
  const columns = [
    { id: 'd1', name: 'To do', stream: 'development', category: 'todo' as const, position: 0 },
    { id: 'd2', name: 'In progress', stream: 'development', category: 'in_progress' as const, position: 1 },
    { id: 'd3', name: 'Review', stream: 'development', category: 'in_progress' as const, position: 2 },
    { id: 'd4', name: 'Done', stream: 'development', category: 'done' as const, position: 3 },
    { id: 'm1', name: 'In progress', stream: 'maintenance', category: 'in_progress' as const, position: 5 },
    { id: 'm2', name: 'Deploying', stream: 'maintenance', category: 'in_progress' as const, position: 6 },
  ];

  it('finds the done column of the stream', () => {
    expect(doneColumn(columns, 'development')?.id).toBe('d4');
    expect(doneColumn(columns, 'maintenance')).toBeNull();
  });

  it('finds the review column by configured name, by its usual names, else the last in-progress one', () => {
    expect(reviewColumn(columns, 'development', 'in progress')?.id).toBe('d2');
    expect(reviewColumn(columns, 'development')?.id).toBe('d3');
    expect(reviewColumn(columns, 'maintenance')?.id).toBe('m2');
  });
});

describe('delivery outcome', () => {
  it('reports the most significant thing a delivery did', () => {
    expect(deliveryOutcome(['updated', 'created'])).toBe('created');
    expect(deliveryOutcome(['commented', 'resolved'])).toBe('resolved');
    expect(deliveryOutcome(['linked'])).toBe('updated');
    expect(deliveryOutcome(['unchanged'])).toBe('ignored');
    expect(deliveryOutcome([])).toBe('ignored');
  });
});
