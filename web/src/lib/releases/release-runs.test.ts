import { describe, expect, it } from 'vitest';
import type { BoardEvent } from '../../../../protocol/model.ts';
import type { Release, ReleaseRun, ReleaseRuns } from '../../../../protocol/releases.ts';
import type { Api } from '../api.ts';
import { ReleaseRunsState } from './release-runs.svelte.ts';

const run = (id: string, environment = 'test'): ReleaseRun => ({
  id,
  environment,
  kind: 'deployment',
  check: null,
  runId: `run-${id}`,
  outcome: 'success',
  url: null,
  environmentUrl: null,
  reportedAt: '2026-12-04T10:00:00.000Z',
  reportedBy: null,
  plugin: 'generic-deployment',
});
const reported = (releaseId: string, r?: ReleaseRun) =>
  ({
    type: 'release.updated',
    payload: { release: { id: releaseId } as Release, change: 'deployed', ...(r ? { run: r } : {}) },
  }) as unknown as BoardEvent;

/** An API that answers the runs list with `runs`, once asked. */
function apiAnswering(runs: ReleaseRun[]): Api {
  return { request: async () => ({ releaseId: 'rel', runs }) as ReleaseRuns } as unknown as Api;
}

describe('ReleaseRunsState', () => {
  it('adds the run a report event carries for its release, once, and ignores other releases', () => {
    const state = new ReleaseRunsState(apiAnswering([]), 'board', 'rel');
    state.apply(reported('rel', run('a')));
    state.apply(reported('rel', run('a')));
    state.apply(reported('other', run('b')));
    state.apply(reported('rel'));
    expect(state.runs.map((r) => r.id)).toEqual(['a']);
  });

  it('keeps a run whose event arrived while the list was on its way, after the listed ones', async () => {
    const state = new ReleaseRunsState(apiAnswering([run('a'), run('b')]), 'board', 'rel');
    state.apply(reported('rel', run('c')));
    state.apply(reported('rel', run('b')));
    await state.load();
    expect(state.runs.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(state.loaded).toBe(true);
  });
});
