import { describe, expect, it } from 'vitest';
import type { Hypercare } from '../../../../protocol/hypercare.ts';
import {
  hypercareScope,
  mergeReleases,
  openReleases,
  releaseOfCard,
  schedule,
  upsertRelease,
} from './release-list.ts';
import { aRelease } from './test-builders.ts';

describe('the releases the board holds', () => {
  it('a new release is added; a newer revision replaces the one held', () => {
    const list = upsertRelease([], aRelease({ id: 'a', revision: 1 }));
    const next = upsertRelease(list, aRelease({ id: 'a', revision: 2, state: 'on_path' }));
    expect(next).toHaveLength(1);
    expect(next[0]!.state).toBe('on_path');
  });

  it('an older revision (a late answer, a list read before the event) never undoes a later change', () => {
    const list = [aRelease({ id: 'a', revision: 5, state: 'stopped' })];
    expect(upsertRelease(list, aRelease({ id: 'a', revision: 4, state: 'on_path' }))).toBe(list);
    expect(
      mergeReleases(list, [aRelease({ id: 'a', revision: 3 }), aRelease({ id: 'b' })]).map((r) => [
        r.id,
        r.state,
      ]),
    ).toEqual([
      ['a', 'stopped'],
      ['b', 'planned'],
    ]);
  });

  it('the schedule runs by target date with undated releases last', () => {
    const list = [
      aRelease({ id: 'undated', version: '9.0', targetDate: null }),
      aRelease({ id: 'late', version: '2.0', targetDate: '2027-03-01' }),
      aRelease({ id: 'early', version: '1.0', targetDate: '2027-01-15' }),
      aRelease({ id: 'early-b', version: '1.10', targetDate: '2027-01-15' }),
      aRelease({ id: 'early-a', version: '1.9', targetDate: '2027-01-15' }),
    ];
    expect(schedule(list).map((r) => r.id)).toEqual(['early', 'early-a', 'early-b', 'late', 'undated']);
  });

  it('cards may join only releases that are neither live nor cancelled; each card knows its release', () => {
    const list = [
      aRelease({ id: 'live', state: 'live', cardIds: ['c1'] }),
      aRelease({ id: 'open', state: 'stopped', cardIds: ['c2', 'c3'] }),
      aRelease({ id: 'gone', state: 'cancelled' }),
    ];
    expect(openReleases(list).map((r) => r.id)).toEqual(['open']);
    const of = releaseOfCard(list);
    expect(of.get('c1')?.id).toBe('live');
    expect(of.get('c3')?.id).toBe('open');
    expect(of.get('c9')).toBeUndefined();
  });
});

describe('the cards that carry the hyper-care badge', () => {
  const care = (releaseId: string, state: Hypercare['state']) => ({ releaseId, state }) as Hypercare;

  it('every card of a live release whose hyper-care runs, and none once it has exited or before go-live', () => {
    const list = [
      aRelease({ id: 'running', state: 'live', cardIds: ['c1', 'c2'] }),
      aRelease({ id: 'extended', state: 'live', cardIds: ['c3'] }),
      aRelease({ id: 'exited', state: 'live', cardIds: ['c4'] }),
      aRelease({ id: 'planned', state: 'awaiting_go', cardIds: ['c5'] }),
      aRelease({ id: 'unknown', state: 'live', cardIds: ['c6'] }),
    ];
    const hypercare = {
      running: care('running', 'active'),
      extended: care('extended', 'extended'),
      exited: care('exited', 'exited'),
    };
    expect([...hypercareScope(list, hypercare)].sort()).toEqual(['c1', 'c2', 'c3']);
  });
});
