/**
 * A release on the path to live, pure: where it stands on the board's ordered environments, what may
 * deploy where (the gate CI asks), how a deployment report moves it on or stops the line, the
 * firebreak's approvals, and the go/no-go decision with its separation of duties. Facts in, a
 * decision out; a refusal names the field and says why. The release service reads the facts under
 * the release's row lock, asks here, and writes what is decided (one outcome per race).
 */
import type { Role } from '../../protocol/model.ts';

/** The path every board starts with; each board may configure its own (at least the live one). */
export const DEFAULT_ENVIRONMENTS = [
  'test',
  'system-test',
  'pre-production',
  'production-shadow',
  'live',
] as const;

export type ReleaseState =
  | 'planned'
  | 'on_path'
  | 'stopped'
  | 'firebreak'
  | 'awaiting_go'
  | 'live'
  | 'cancelled';

export interface Refusal {
  field: string;
  message: string;
}

export interface FailedRun {
  environment: string;
  runId: string;
  /** what failed: the deployment itself or an automated check in that environment */
  kind: 'deployment' | 'check';
  url?: string;
}

export interface Firebreak {
  environment: string;
  reason: string;
  /** roles that must each approve before the release may continue past the firebreak */
  approvers: Role[];
  approvedBy: { userId: string; role: Role }[];
  /** manual test results recorded by the test team; any failed one keeps the firebreak closed */
  manualTests: { name: string; passed: boolean }[];
}

export interface ReleaseFacts {
  state: ReleaseState;
  /** the board's ordered environments, the last one live */
  environments: readonly string[];
  /** index of the furthest environment the release was deployed to and passed (-1: none yet) */
  reached: number;
  stop: FailedRun | null;
  firebreak: Firebreak | null;
  /** environment → the automated checks the path runs there (kept from when the release was planned) */
  checks?: Readonly<Record<string, readonly string[]>>;
  /** environment → the checks whose latest reported result there is a success */
  passedChecks?: Readonly<Record<string, readonly string[]>>;
}

const refuse = (field: string, message: string): Refusal => ({ field, message });

export const liveEnvironment = (environments: readonly string[]) => environments[environments.length - 1]!;

/** The environment before live: where a release runs as a blue/green shadow until the go decision. */
// One rule for the server and the release page: the environment before live is the shadow.
export { shadowEnvironment } from '../../protocol/rules/release-runs.ts';

import { shadowEnvironment } from '../../protocol/rules/release-runs.ts';

/** A board's environments: 2 to 12 distinct names, the last one the live environment. */
export function checkEnvironments(names: readonly string[]): Refusal | null {
  if (names.length < 2)
    return refuse('environments', 'name at least two environments: one before live, and live');
  if (names.length > 12) return refuse('environments', 'at most 12 environments');
  const seen = new Set<string>();
  for (const [i, name] of names.entries()) {
    if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(name))
      return refuse(
        `environments[${i}]`,
        'lower-case letters, digits and hyphens, 1–40 characters, starting with a letter or digit',
      );
    if (seen.has(name)) return refuse(`environments[${i}]`, `"${name}" is named twice`);
    seen.add(name);
  }
  return null;
}

/**
 * The gate: may the release deploy to `environment` now? In order, one step at a time (a re-run of an
 * environment already reached is allowed), never while the line is stopped or a firebreak is closed,
 * and never to live: going live is the go/no-go decision, not a deployment.
 */
export function mayDeploy(release: ReleaseFacts, environment: string): Refusal | null {
  const index = release.environments.indexOf(environment);
  if (index < 0)
    return refuse(
      'environment',
      `"${environment}" is not on this board's path (${release.environments.join(', ')})`,
    );
  if (release.state === 'cancelled') return refuse('state', 'the release was cancelled');
  if (release.state === 'live') return refuse('state', 'the release is already live');
  if (release.stop)
    return refuse(
      'state',
      `the line is stopped: ${describeRun(release.stop)} failed; fix it and re-run ${release.stop.environment}`,
    );
  if (index === release.environments.length - 1)
    return refuse(
      'environment',
      'live is reached by the go/no-go decision on the shadow, not by a deployment',
    );
  if (
    release.firebreak &&
    !firebreakOpen(release.firebreak) &&
    index > release.environments.indexOf(release.firebreak.environment)
  )
    return refuse(
      'state',
      `the firebreak at ${release.firebreak.environment} is closed: ${firebreakMissing(release.firebreak)}`,
    );
  if (index > release.reached + 1) {
    const next = release.environments[release.reached + 1]!;
    return refuse('environment', `deploy to ${next} first: the path is taken in order`);
  }
  if (index > release.reached && index > 0) {
    const previous = release.environments[index - 1]!;
    const open = checksOpen(release, previous);
    if (open.length > 0)
      return refuse(
        'environment',
        `the automated checks of ${previous} have not all passed (${open.join(', ')}): a release is promoted past an environment only when they have`,
      );
  }
  return null;
}

/** The checks configured for an environment whose latest result is not a success (or not in yet). */
export function checksOpen(release: Pick<ReleaseFacts, 'checks' | 'passedChecks'>, environment: string) {
  const passed = new Set(release.passedChecks?.[environment] ?? []);
  return (release.checks?.[environment] ?? []).filter((c) => !passed.has(c));
}

/** Check results in the order they were recorded → per environment, the checks whose latest result passed. */
export function passedChecks(
  results: readonly { environment: string; check: string; outcome: 'success' | 'failure' }[],
): Record<string, string[]> {
  const latest = new Map<string, Map<string, boolean>>();
  for (const r of results) {
    const env = latest.get(r.environment) ?? new Map<string, boolean>();
    env.set(r.check, r.outcome === 'success');
    latest.set(r.environment, env);
  }
  const out: Record<string, string[]> = {};
  for (const [env, checks] of latest)
    out[env] = [...checks].filter(([, passed]) => passed).map(([name]) => name);
  return out;
}

/** A stop may be re-run in its own environment only: the gate allows exactly that one. */
export function mayRerunStopped(release: ReleaseFacts, environment: string): boolean {
  return release.stop?.environment === environment;
}

export const describeRun = (run: FailedRun) =>
  `${run.kind === 'check' ? 'the automated check' : 'the deployment'} run ${run.runId} in ${run.environment}`;

export interface DeploymentReport {
  environment: string;
  runId: string;
  kind: 'deployment' | 'check';
  outcome: 'success' | 'failure';
  url?: string;
}

export type ReportOutcome =
  | { kind: 'refused'; refusal: Refusal }
  | {
      kind: 'applied';
      next: ReleaseFacts;
      /** the line was stopped by this report: raise (or count on) the release's defect for the run */
      stopped: FailedRun | null;
      /** a stop was lifted by a successful run in its environment */
      resumed: FailedRun | null;
      /** the release reached the firebreak's environment and waits there for approvals */
      firebreakReached: boolean;
    };

/**
 * What a deployment or check report does. A failure anywhere on the path stops the line at that
 * environment (a second failure while stopped is recorded against the same stop). A success in the
 * stopped environment lifts the stop. A success one step further on moves the release on; at the
 * shadow it waits for the go decision, at the firebreak's environment for the approvals.
 */
export function applyReport(release: ReleaseFacts, report: DeploymentReport): ReportOutcome {
  const index = release.environments.indexOf(report.environment);
  if (index < 0)
    return {
      kind: 'refused',
      refusal: refuse('environment', `"${report.environment}" is not on this board's path`),
    };
  if (release.state === 'cancelled' || release.state === 'live')
    return { kind: 'refused', refusal: refuse('state', `the release is ${release.state}`) };
  if (index === release.environments.length - 1)
    return {
      kind: 'refused',
      refusal: refuse('environment', 'live is reached by the go/no-go decision, not by a deployment report'),
    };

  if (report.outcome === 'failure') {
    const run: FailedRun = {
      environment: report.environment,
      runId: report.runId,
      kind: report.kind,
      ...(report.url ? { url: report.url } : {}),
    };
    const already = release.stop !== null;
    return {
      kind: 'applied',
      next: { ...release, state: 'stopped', stop: already ? release.stop : run },
      stopped: run,
      resumed: null,
      firebreakReached: false,
    };
  }

  if (release.stop) {
    if (release.stop.environment !== report.environment)
      return {
        kind: 'refused',
        refusal: refuse('state', `the line is stopped: ${describeRun(release.stop)} failed`),
      };
    const resumed = release.stop;
    const after: ReleaseFacts = { ...release, stop: null, state: 'on_path' };
    return { ...settle(after, index), resumed };
  }
  const gate = mayDeploy(release, report.environment);
  if (gate) return { kind: 'refused', refusal: gate };
  return { ...settle(release, index), resumed: null };
}

/** The release after a success at `index`: further on, and waiting where the path says it waits. */
function settle(release: ReleaseFacts, index: number): Extract<ReportOutcome, { kind: 'applied' }> {
  const reached = Math.max(release.reached, index);
  const env = release.environments[reached]!;
  const atFirebreak =
    release.firebreak !== null && release.firebreak.environment === env && !firebreakOpen(release.firebreak);
  const atShadow = env === shadowEnvironment(release.environments);
  const state: ReleaseState = atFirebreak ? 'firebreak' : atShadow ? 'awaiting_go' : 'on_path';
  return {
    kind: 'applied',
    next: { ...release, reached, state },
    stopped: null,
    resumed: null,
    firebreakReached: atFirebreak && release.state !== 'firebreak',
  };
}

export function firebreakOpen(firebreak: Firebreak): boolean {
  return firebreakMissing(firebreak) === '';
}

/** What the firebreak still waits for, in words ('' when nothing). */
export function firebreakMissing(firebreak: Firebreak): string {
  const missing: string[] = [];
  const failed = firebreak.manualTests.filter((t) => !t.passed).map((t) => t.name);
  if (firebreak.manualTests.length === 0) missing.push('no manual test results recorded');
  if (failed.length > 0) missing.push(`manual tests failed: ${failed.join(', ')}`);
  const approved = new Set(firebreak.approvedBy.map((a) => a.role));
  const waiting = firebreak.approvers.filter((r) => !approved.has(r));
  if (waiting.length > 0) missing.push(`approval missing from ${waiting.join(', ')}`);
  return missing.join('; ');
}

/** An approval of the firebreak: by one of the roles it waits for, once per role. */
export function approveFirebreak(
  firebreak: Firebreak,
  approver: { userId: string; role: Role },
): { firebreak: Firebreak } | { refusal: Refusal } {
  if (!firebreak.approvers.includes(approver.role))
    return {
      refusal: refuse(
        'role',
        `the firebreak waits for ${firebreak.approvers.join(', ')}, not ${approver.role}`,
      ),
    };
  if (firebreak.approvedBy.some((a) => a.role === approver.role))
    return { refusal: refuse('role', `${approver.role} has already approved this firebreak`) };
  return { firebreak: { ...firebreak, approvedBy: [...firebreak.approvedBy, approver] } };
}

/** The release once its firebreak changed: it continues when the firebreak opens. */
export function withFirebreak(release: ReleaseFacts, firebreak: Firebreak): ReleaseFacts {
  const next = { ...release, firebreak };
  if (release.state === 'firebreak' && firebreakOpen(firebreak)) {
    const atShadow = release.environments[release.reached] === shadowEnvironment(release.environments);
    return { ...next, state: atShadow ? 'awaiting_go' : 'on_path' };
  }
  return next;
}

// ---- go / no-go -------------------------------------------------------------------------------

export interface ReadinessItem {
  key: string;
  label: string;
  done: boolean;
  /** an item not done may be waived, with the reason on record */
  waivedReason?: string;
}

export const DEFAULT_READINESS: readonly Omit<ReadinessItem, 'done'>[] = [
  { key: 'runbook', label: 'Runbook updated' },
  { key: 'monitoring', label: 'Monitoring and alerts in place' },
  { key: 'service-desk', label: 'Service desk briefed and trained' },
  { key: 'known-errors', label: 'Known errors documented with workarounds' },
];

export interface ApprovalPolicy {
  /** each role named must give a go (a role named twice needs two different people of it) */
  approvers: Role[];
}

export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = { approvers: ['product_owner', 'maintenance'] };

export interface Verdict {
  userId: string;
  role: Role;
  verdict: 'go' | 'no_go';
  reason: string;
}

export interface GoFacts {
  state: ReleaseState;
  policy: ApprovalPolicy;
  readiness: readonly ReadinessItem[];
  /** who worked on the release's cards (authors, assignees) or deployed it: they may not approve */
  contributors: ReadonlySet<string>;
  verdicts: readonly Verdict[];
  /** automated checks of the shadow not passed: going live is a promotion past the shadow */
  checksOpen?: readonly string[];
}

/** Roles that may never mark a release live, whatever the policy says. */
export const NEVER_APPROVES: ReadonlySet<Role> = new Set<Role>(['developer', 'viewer']);

/** May this person give a verdict on the release's go-live? */
export function mayGiveVerdict(facts: GoFacts, person: { userId: string; role: Role }): Refusal | null {
  if (facts.state !== 'awaiting_go')
    return refuse(
      'state',
      facts.state === 'live'
        ? 'the release is already live'
        : `go/no-go is decided on the shadow: this release is ${facts.state.replace('_', ' ')}`,
    );
  if (NEVER_APPROVES.has(person.role))
    return refuse('role', `the ${person.role} role can never decide a go-live`);
  if (facts.contributors.has(person.userId))
    return refuse(
      'userId',
      'you worked on or deployed this release: separation of duties asks someone else to decide its go-live',
    );
  if (facts.verdicts.some((v) => v.userId === person.userId))
    return refuse('userId', 'you have already given your verdict on this release');
  return null;
}

/** Readiness items neither done nor waived with a reason. */
export const readinessOpen = (items: readonly ReadinessItem[]) =>
  items.filter((i) => !i.done && !(i.waivedReason && i.waivedReason.trim().length > 0));

export type GoOutcome =
  | { decided: 'go' }
  | { decided: 'no_go'; by: Verdict }
  | { decided: null; waitingFor: Role[]; readinessOpen: ReadinessItem[]; checksOpen: string[] };

/**
 * The decision so far: any no-go decides no-go (the release stays on the shadow); go needs every
 * role of the policy matched by a distinct person's go, the readiness checklist complete and the
 * shadow's automated checks passed.
 */
export function goDecision(facts: GoFacts): GoOutcome {
  const noGo = facts.verdicts.find((v) => v.verdict === 'no_go');
  if (noGo) return { decided: 'no_go', by: noGo };
  const gos = facts.verdicts.filter((v) => v.verdict === 'go');
  const used = new Set<string>();
  const waitingFor: Role[] = [];
  for (const role of facts.policy.approvers) {
    const match = gos.find((v) => v.role === role && !used.has(v.userId));
    if (match) used.add(match.userId);
    else waitingFor.push(role);
  }
  const open = readinessOpen(facts.readiness);
  const checks = [...(facts.checksOpen ?? [])];
  if (waitingFor.length === 0 && open.length === 0 && checks.length === 0) return { decided: 'go' };
  return { decided: null, waitingFor, readinessOpen: open, checksOpen: checks };
}
