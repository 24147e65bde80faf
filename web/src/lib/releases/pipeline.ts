/**
 * Where a release stands on its path to live, environment by environment, for the pipeline the
 * schedule and the release page draw. Pure: the release's own fields (`environments`, `reached`,
 * `stop`, `firebreak`, `state`) in, one status per environment out. The server decides the state;
 * this only reads it.
 */
import type { Release } from '../../../../protocol/releases.ts';

export type StepStatus = 'passed' | 'current' | 'stopped' | 'firebreak' | 'not_reached';

export interface PipelineStep {
  environment: string;
  status: StepStatus;
  /** the release pauses here for a firebreak (closed or already approved) */
  firebreakHere: boolean;
  /** on a stopped step: the failed run */
  run?: { runId: string; kind: 'deployment' | 'check'; url?: string };
}

type PipelineFacts = Pick<Release, 'environments' | 'reached' | 'stop' | 'firebreak' | 'state'>;

/**
 * One step per environment, in order. Passed: deployed there and passed, and the release went on
 * (every step once live). Current: where the release is now, the furthest environment reached while
 * it goes on or waits on the shadow for the go decision. Stopped: the failed run's environment.
 * Firebreak: the release is held there now. Not reached: everything after.
 */
export function pipelineSteps(release: PipelineFacts): PipelineStep[] {
  const { environments, reached, stop, firebreak, state } = release;
  const stopAt = stop ? environments.indexOf(stop.environment) : -1;
  const holdAt = state === 'firebreak' && firebreak ? environments.indexOf(firebreak.environment) : -1;
  const moving = state === 'on_path' || state === 'awaiting_go';
  return environments.map((environment, i) => {
    const firebreakHere = firebreak?.environment === environment;
    const step = (status: StepStatus): PipelineStep => ({ environment, status, firebreakHere });
    if (state === 'live') return step('passed');
    if (i === stopAt && stop)
      return {
        ...step('stopped'),
        run: { runId: stop.runId, kind: stop.kind, ...(stop.url ? { url: stop.url } : {}) },
      };
    if (i === holdAt) return step('firebreak');
    if (i < reached) return step('passed');
    if (i === reached) return step(moving ? 'current' : 'passed');
    return step('not_reached');
  });
}

/** A short sentence for the step, for titles and screen readers. */
export function describeStep(step: PipelineStep): string {
  switch (step.status) {
    case 'passed':
      return `${step.environment}: passed`;
    case 'current':
      return `${step.environment}: current`;
    case 'stopped':
      return `${step.environment}: stopped by ${step.run?.kind === 'check' ? 'check' : 'deployment'} run ${step.run?.runId ?? ''}`.trim();
    case 'firebreak':
      return `${step.environment}: held at the firebreak`;
    case 'not_reached':
      return `${step.environment}: not reached`;
  }
}
