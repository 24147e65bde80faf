import { describe, expect, it } from 'vitest';
import { aRelease } from '../board/test-builders.ts';
import { type PipelineStep, pipelineSteps } from './pipeline.ts';

const statuses = (steps: PipelineStep[]) => steps.map((s) => `${s.environment}:${s.status}`);

describe('the pipeline of a release', () => {
  it('a planned release has reached nothing yet', () => {
    expect(statuses(pipelineSteps(aRelease({ state: 'planned', reached: -1 })))).toEqual([
      'test:not_reached',
      'system-test:not_reached',
      'pre-production:not_reached',
      'production-shadow:not_reached',
      'live:not_reached',
    ]);
  });

  it('on the path, the furthest environment reached is current and those before it passed', () => {
    expect(statuses(pipelineSteps(aRelease({ state: 'on_path', reached: 1 })))).toEqual([
      'test:passed',
      'system-test:current',
      'pre-production:not_reached',
      'production-shadow:not_reached',
      'live:not_reached',
    ]);
  });

  it('a failed run stops the line at its environment, naming the run', () => {
    const steps = pipelineSteps(
      aRelease({
        state: 'stopped',
        reached: 0,
        stop: { environment: 'system-test', runId: 'run-42', kind: 'deployment', url: 'https://ci/42' },
      }),
    );
    expect(statuses(steps)).toEqual([
      'test:passed',
      'system-test:stopped',
      'pre-production:not_reached',
      'production-shadow:not_reached',
      'live:not_reached',
    ]);
    expect(steps[1]!.run).toEqual({ runId: 'run-42', kind: 'deployment', url: 'https://ci/42' });
  });

  it('a release held at its firebreak shows the firebreak there; once approved it is current again', () => {
    const firebreak = {
      environment: 'pre-production',
      reason: 'schema change',
      approvers: ['product_owner' as const],
      approvedBy: [],
      manualTests: [],
    };
    const held = pipelineSteps(aRelease({ state: 'firebreak', reached: 2, firebreak }));
    expect(statuses(held).slice(1, 4)).toEqual([
      'system-test:passed',
      'pre-production:firebreak',
      'production-shadow:not_reached',
    ]);
    expect(held.map((s) => s.firebreakHere)).toEqual([false, false, true, false, false]);
    const open = pipelineSteps(aRelease({ state: 'on_path', reached: 2, firebreak }));
    expect(open[2]!.status).toBe('current');
  });

  it('awaiting go, the shadow is current; live, every step passed', () => {
    expect(statuses(pipelineSteps(aRelease({ state: 'awaiting_go', reached: 3 }))).slice(3)).toEqual([
      'production-shadow:current',
      'live:not_reached',
    ]);
    expect(pipelineSteps(aRelease({ state: 'live', reached: 4 })).every((s) => s.status === 'passed')).toBe(
      true,
    );
  });

  it('a re-run failing in an environment passed before stops it there, the later ones stay passed', () => {
    const steps = pipelineSteps(
      aRelease({ state: 'stopped', reached: 2, stop: { environment: 'test', runId: 'r9', kind: 'check' } }),
    );
    expect(statuses(steps).slice(0, 3)).toEqual([
      'test:stopped',
      'system-test:passed',
      'pre-production:passed',
    ]);
  });
});
