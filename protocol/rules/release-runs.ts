/**
 * A release's reported runs as its page shows them, pure: which environment is the production shadow,
 * the runs grouped by the release's path, and the shadow's verification results (the latest outcome
 * of each check or deployment there, and the configured checks not run yet). Shared by the server's
 * rules (server/domain/release.ts) and the web app.
 */
import type { Release, ReleaseRun } from '../releases.ts';

/** The production shadow: the environment before live (go/no-go switches it live). */
export const shadowEnvironment = (environments: readonly string[]): string | null =>
  environments.length > 1 ? environments[environments.length - 2]! : null;

export interface EnvironmentRuns {
  environment: string;
  /** newest first */
  runs: ReleaseRun[];
}

/** Runs by environment in the order of the release's path (environments no longer on it last); newest first in each. */
export function runsByEnvironment(
  release: Pick<Release, 'environments'>,
  runs: readonly ReleaseRun[],
): EnvironmentRuns[] {
  const groups = new Map<string, ReleaseRun[]>();
  for (const run of runs) groups.set(run.environment, [run, ...(groups.get(run.environment) ?? [])]);
  const order = [
    ...release.environments,
    ...[...groups.keys()].filter((e) => !release.environments.includes(e)),
  ];
  return order
    .filter((e) => groups.has(e))
    .map((environment) => ({ environment, runs: groups.get(environment)! }));
}

export interface Verification {
  /** the check's name, or "deployment" */
  name: string;
  kind: ReleaseRun['kind'];
  /** pending: a configured check with no result yet */
  outcome: ReleaseRun['outcome'] | 'pending';
  run: ReleaseRun | null;
}

/**
 * The shadow's verification results: the latest deployment there, then each configured check's latest
 * result (pending until one is reported), then any other check reported there. Empty without a shadow.
 */
export function shadowVerification(
  release: Pick<Release, 'environments' | 'checks'>,
  runs: readonly ReleaseRun[],
): Verification[] {
  const shadow = shadowEnvironment(release.environments);
  if (!shadow) return [];
  const latest = new Map<string, ReleaseRun>();
  for (const run of runs)
    if (run.environment === shadow)
      latest.set(run.kind === 'deployment' ? '\u0000deployment' : (run.check ?? run.runId), run);
  const out: Verification[] = [];
  const deployment = latest.get('\u0000deployment');
  if (deployment)
    out.push({ name: 'deployment', kind: 'deployment', outcome: deployment.outcome, run: deployment });
  const configured = release.checks[shadow] ?? [];
  for (const name of configured) {
    const run = latest.get(name) ?? null;
    out.push({ name, kind: 'check', outcome: run?.outcome ?? 'pending', run });
  }
  for (const [name, run] of latest)
    if (run.kind === 'check' && !configured.includes(name))
      out.push({ name, kind: 'check', outcome: run.outcome, run });
  return out;
}

/** The address to link to, when it is an http(s) one (anything else is shown, never linked). */
export const webLink = (url: string | null | undefined): string | null =>
  url && /^https?:\/\//i.test(url) ? url : null;
