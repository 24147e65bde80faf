import { describe, expect, it } from 'vitest';
import {
  applyReport,
  approveFirebreak,
  checkEnvironments,
  DEFAULT_ENVIRONMENTS,
  type DeploymentReport,
  type Firebreak,
  type GoFacts,
  goDecision,
  mayDeploy,
  mayGiveVerdict,
  passedChecks,
  type ReleaseFacts,
  withFirebreak,
} from './release.ts';

const release = (over: Partial<ReleaseFacts> = {}): ReleaseFacts => ({
  state: 'planned',
  environments: DEFAULT_ENVIRONMENTS,
  reached: -1,
  stop: null,
  firebreak: null,
  ...over,
});

const ok = (environment: string, runId = 'r1'): DeploymentReport => ({
  environment,
  runId,
  kind: 'deployment',
  outcome: 'success',
});
const failed = (
  environment: string,
  runId = 'r9',
  kind: 'deployment' | 'check' = 'check',
): DeploymentReport => ({
  environment,
  runId,
  kind,
  outcome: 'failure',
});

/** Applies reports in turn, failing the test on a refusal. */
function walk(start: ReleaseFacts, ...reports: DeploymentReport[]): ReleaseFacts {
  let r = start;
  for (const report of reports) {
    const out = applyReport(r, report);
    if (out.kind === 'refused') throw new Error(`${report.environment}: ${out.refusal.message}`);
    r = out.next;
  }
  return r;
}

describe('environments', () => {
  it('accepts the default path and refuses a short, duplicated or badly named one, naming the entry', () => {
    expect(checkEnvironments(DEFAULT_ENVIRONMENTS)).toBeNull();
    expect(checkEnvironments(['live'])).toMatchObject({ field: 'environments' });
    expect(checkEnvironments(['test', 'test', 'live'])).toMatchObject({ field: 'environments[1]' });
    expect(checkEnvironments(['test', 'Pre Prod', 'live'])).toMatchObject({ field: 'environments[1]' });
  });
});

describe('the gate', () => {
  it('lets a release deploy along its path in order, re-runs included', () => {
    const r = release();
    expect(mayDeploy(r, 'test')).toBeNull();
    expect(mayDeploy(r, 'pre-production')).toMatchObject({
      field: 'environment',
      message: expect.stringContaining('test first'),
    });
    const atSystemTest = walk(r, ok('test'), ok('system-test'));
    expect(mayDeploy(atSystemTest, 'test')).toBeNull();
    expect(mayDeploy(atSystemTest, 'pre-production')).toBeNull();
  });

  it('never deploys to live: going live is a decision', () => {
    const shadow = walk(
      release(),
      ok('test'),
      ok('system-test'),
      ok('pre-production'),
      ok('production-shadow'),
    );
    expect(shadow.state).toBe('awaiting_go');
    expect(mayDeploy(shadow, 'live')).toMatchObject({
      field: 'environment',
      message: expect.stringContaining('go/no-go'),
    });
  });

  it('refuses an unknown environment naming the path', () => {
    expect(mayDeploy(release(), 'staging')).toMatchObject({
      field: 'environment',
      message: expect.stringContaining('test, system-test'),
    });
  });
});

describe('stopping the line', () => {
  it('stops the release where a check failed; nothing deploys further and the refusal names the run', () => {
    const out = applyReport(walk(release(), ok('test')), failed('system-test', 'run-42'));
    expect(out.kind).toBe('applied');
    if (out.kind !== 'applied') return;
    expect(out.next.state).toBe('stopped');
    expect(out.stopped).toEqual({ environment: 'system-test', runId: 'run-42', kind: 'check' });
    expect(mayDeploy(out.next, 'pre-production')).toMatchObject({
      field: 'state',
      message: expect.stringContaining('run-42'),
    });
    // a success further on does not get past the stop
    expect(applyReport(out.next, ok('pre-production'))).toMatchObject({ kind: 'refused' });
  });

  it('keeps the first failed run as the stop when another fails while stopped, and still reports the new one', () => {
    const stopped = walk(release(), ok('test'), failed('system-test', 'a'));
    const again = applyReport(stopped, failed('test', 'b'));
    expect(again).toMatchObject({ kind: 'applied', stopped: { runId: 'b' }, next: { stop: { runId: 'a' } } });
  });

  it('lifts the stop on a successful re-run in the stopped environment, and only there', () => {
    const stopped = walk(release(), ok('test'), failed('system-test', 'a'));
    expect(applyReport(stopped, ok('test'))).toMatchObject({ kind: 'refused' });
    const out = applyReport(stopped, ok('system-test', 'fixed'));
    expect(out).toMatchObject({
      kind: 'applied',
      resumed: { runId: 'a' },
      next: { state: 'on_path', stop: null, reached: 1 },
    });
  });

  it('refuses reports for live or a cancelled release', () => {
    expect(applyReport(release({ state: 'cancelled' }), ok('test'))).toMatchObject({ kind: 'refused' });
    expect(applyReport(release(), ok('live'))).toMatchObject({
      kind: 'refused',
      refusal: { field: 'environment' },
    });
  });
});

describe('the firebreak', () => {
  const firebreak = (over: Partial<Firebreak> = {}): Firebreak => ({
    environment: 'pre-production',
    reason: 'schema change',
    approvers: ['product_owner', 'maintenance'],
    approvedBy: [],
    manualTests: [],
    ...over,
  });

  it('holds the release at pre-production until the manual tests pass and every named party approves', () => {
    const held = walk(
      release({ firebreak: firebreak() }),
      ok('test'),
      ok('system-test'),
      ok('pre-production'),
    );
    expect(held.state).toBe('firebreak');
    expect(mayDeploy(held, 'production-shadow')).toMatchObject({
      field: 'state',
      message: expect.stringContaining('approval missing from product_owner, maintenance'),
    });

    let fb = { ...held.firebreak!, manualTests: [{ name: 'migration dry run', passed: true }] };
    const po = approveFirebreak(fb, { userId: 'po', role: 'product_owner' });
    if (!('firebreak' in po)) throw new Error('refused');
    fb = po.firebreak;
    expect(approveFirebreak(fb, { userId: 'po2', role: 'product_owner' })).toMatchObject({
      refusal: { field: 'role' },
    });
    expect(approveFirebreak(fb, { userId: 'dev', role: 'developer' })).toMatchObject({
      refusal: { field: 'role' },
    });
    const stillHeld = withFirebreak(held, fb);
    expect(stillHeld.state).toBe('firebreak');

    const ams = approveFirebreak(fb, { userId: 'ams', role: 'maintenance' });
    if (!('firebreak' in ams)) throw new Error('refused');
    const open = withFirebreak(held, ams.firebreak);
    expect(open.state).toBe('on_path');
    expect(mayDeploy(open, 'production-shadow')).toBeNull();
  });

  it('stays closed while a manual test failed, whatever the approvals', () => {
    const fb = firebreak({
      approvers: ['product_owner'],
      approvedBy: [{ userId: 'po', role: 'product_owner' }],
      manualTests: [{ name: 'checkout', passed: false }],
    });
    const held = walk(release({ firebreak: fb }), ok('test'), ok('system-test'), ok('pre-production'));
    expect(mayDeploy(held, 'production-shadow')).toMatchObject({
      message: expect.stringContaining('manual tests failed: checkout'),
    });
  });
});

describe('go / no-go', () => {
  const facts = (over: Partial<GoFacts> = {}): GoFacts => ({
    state: 'awaiting_go',
    policy: { approvers: ['product_owner', 'maintenance'] },
    readiness: [
      { key: 'runbook', label: 'Runbook updated', done: true },
      {
        key: 'monitoring',
        label: 'Monitoring in place',
        done: false,
        waivedReason: 'reuses the existing alerts',
      },
    ],
    contributors: new Set(['author', 'deployer']),
    verdicts: [],
    ...over,
  });

  it('refuses a verdict from whoever worked on or deployed the release, and from developers always', () => {
    expect(mayGiveVerdict(facts(), { userId: 'author', role: 'product_owner' })).toMatchObject({
      field: 'userId',
    });
    expect(mayGiveVerdict(facts(), { userId: 'deployer', role: 'maintenance' })).toMatchObject({
      field: 'userId',
    });
    expect(mayGiveVerdict(facts(), { userId: 'someone', role: 'developer' })).toMatchObject({
      field: 'role',
    });
    expect(mayGiveVerdict(facts(), { userId: 'po', role: 'product_owner' })).toBeNull();
  });

  it('is decided on the shadow only, once per person', () => {
    expect(
      mayGiveVerdict(facts({ state: 'on_path' }), { userId: 'po', role: 'product_owner' }),
    ).toMatchObject({ field: 'state' });
    const given = facts({ verdicts: [{ userId: 'po', role: 'product_owner', verdict: 'go', reason: '' }] });
    expect(mayGiveVerdict(given, { userId: 'po', role: 'product_owner' })).toMatchObject({ field: 'userId' });
  });

  it('goes live when every role of the policy said go and readiness is done or waived', () => {
    const one = facts({
      verdicts: [{ userId: 'po', role: 'product_owner', verdict: 'go', reason: 'ready' }],
    });
    expect(goDecision(one)).toMatchObject({ decided: null, waitingFor: ['maintenance'] });
    const both = facts({
      verdicts: [...one.verdicts, { userId: 'ams', role: 'maintenance', verdict: 'go', reason: 'ready' }],
    });
    expect(goDecision(both)).toEqual({ decided: 'go' });
  });

  it('waits for a readiness item neither done nor waived with a reason', () => {
    const verdicts = [
      { userId: 'po', role: 'product_owner' as const, verdict: 'go' as const, reason: '' },
      { userId: 'ams', role: 'maintenance' as const, verdict: 'go' as const, reason: '' },
    ];
    const open = facts({
      verdicts,
      readiness: [{ key: 'runbook', label: 'Runbook', done: false, waivedReason: '  ' }],
    });
    expect(goDecision(open)).toMatchObject({
      decided: null,
      waitingFor: [],
      readinessOpen: [{ key: 'runbook' }],
    });
  });

  it('needs two different people when the policy names a role twice', () => {
    const policy = { approvers: ['product_owner' as const, 'product_owner' as const] };
    const one = facts({
      policy,
      verdicts: [{ userId: 'po', role: 'product_owner', verdict: 'go', reason: '' }],
    });
    expect(goDecision(one)).toMatchObject({ decided: null, waitingFor: ['product_owner'] });
  });

  it('decides no-go on any no-go, whoever else said go', () => {
    const verdicts = [
      { userId: 'po', role: 'product_owner' as const, verdict: 'go' as const, reason: '' },
      { userId: 'ams', role: 'maintenance' as const, verdict: 'no_go' as const, reason: 'alerts not wired' },
    ];
    expect(goDecision(facts({ verdicts }))).toMatchObject({ decided: 'no_go', by: { userId: 'ams' } });
  });
});

describe('automated checks on the path', () => {
  const checked = (over: Partial<ReleaseFacts> = {}) =>
    release({
      checks: { test: ['unit', 'contract'], 'production-shadow': ['smoke'] },
      ...over,
    });

  it('promotes past an environment only when every check configured there has passed, naming those missing', () => {
    const inTest = walk(checked(), ok('test'));
    expect(mayDeploy(inTest, 'system-test')).toMatchObject({
      field: 'environment',
      message: expect.stringContaining('unit, contract'),
    });
    expect(applyReport(inTest, ok('system-test'))).toMatchObject({ kind: 'refused' });
    const halfway = { ...inTest, passedChecks: { test: ['unit'] } };
    expect(mayDeploy(halfway, 'system-test')).toMatchObject({ message: expect.stringContaining('contract') });
    const passed = { ...inTest, passedChecks: { test: ['contract', 'unit'] } };
    expect(mayDeploy(passed, 'system-test')).toBeNull();
    // a re-run where the release already is needs nothing further
    expect(mayDeploy(inTest, 'test')).toBeNull();
  });

  it('counts a check by its latest result, in the order results were recorded', () => {
    expect(
      passedChecks([
        { environment: 'test', check: 'unit', outcome: 'failure' },
        { environment: 'test', check: 'unit', outcome: 'success' },
        { environment: 'test', check: 'contract', outcome: 'success' },
        { environment: 'test', check: 'contract', outcome: 'failure' },
      ]),
    ).toEqual({ test: ['unit'] });
  });

  it('keeps a go-live waiting while the shadow’s checks have not passed', () => {
    const gos = [
      { userId: 'po', role: 'product_owner' as const, verdict: 'go' as const, reason: '' },
      { userId: 'ams', role: 'maintenance' as const, verdict: 'go' as const, reason: '' },
    ];
    const facts: GoFacts = {
      state: 'awaiting_go',
      policy: { approvers: ['product_owner', 'maintenance'] },
      readiness: [],
      contributors: new Set(),
      verdicts: gos,
      checksOpen: ['smoke'],
    };
    expect(goDecision(facts)).toMatchObject({ decided: null, waitingFor: [], checksOpen: ['smoke'] });
    expect(goDecision({ ...facts, checksOpen: [] })).toEqual({ decided: 'go' });
  });
});
