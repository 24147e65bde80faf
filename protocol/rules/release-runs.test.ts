import { describe, expect, it } from 'vitest';
import type { ReleaseRun } from '../releases.ts';
import { runsByEnvironment, shadowEnvironment, shadowVerification, webLink } from './release-runs.ts';

const PATH = ['test', 'pre-production', 'production-shadow', 'live'];
let n = 0;
const run = (environment: string, over: Partial<ReleaseRun> = {}): ReleaseRun => ({
  id: `r${++n}`,
  environment,
  kind: 'deployment',
  check: null,
  runId: `run-${n}`,
  outcome: 'success',
  url: null,
  environmentUrl: null,
  reportedAt: '2026-12-04T10:00:00.000Z',
  reportedBy: null,
  plugin: 'github-deployments',
  ...over,
});
const check = (environment: string, name: string, outcome: ReleaseRun['outcome']) =>
  run(environment, { kind: 'check', check: name, outcome });

describe('runsByEnvironment', () => {
  it('groups by the path, newest first, environments off the path last', () => {
    const a = run('pre-production');
    const b = run('test');
    const c = run('pre-production', { outcome: 'failure' });
    const d = run('qa');
    expect(runsByEnvironment({ environments: PATH }, [a, b, c, d])).toEqual([
      { environment: 'test', runs: [b] },
      { environment: 'pre-production', runs: [c, a] },
      { environment: 'qa', runs: [d] },
    ]);
  });
});

describe('shadowVerification', () => {
  it('the latest deployment, each configured check (pending until run, latest result wins), other checks after', () => {
    const release = { environments: PATH, checks: { 'production-shadow': ['smoke', 'synthetic'] } };
    const runs = [
      run('production-shadow', { outcome: 'failure' }),
      run('production-shadow'),
      check('production-shadow', 'smoke', 'failure'),
      check('production-shadow', 'smoke', 'success'),
      check('production-shadow', 'load', 'failure'),
      check('pre-production', 'synthetic', 'success'),
    ];
    expect(shadowVerification(release, runs).map((v) => [v.name, v.outcome])).toEqual([
      ['deployment', 'success'],
      ['smoke', 'success'],
      ['synthetic', 'pending'],
      ['load', 'failure'],
    ]);
  });
  it('nothing before anything ran there or without a shadow', () => {
    expect(shadowVerification({ environments: PATH, checks: {} }, [run('test')])).toEqual([]);
    expect(shadowEnvironment(['live'])).toBeNull();
  });
});

it('webLink links http(s) only', () => {
  expect(webLink('https://shadow.example.com')).toBe('https://shadow.example.com');
  expect(webLink('javascript:alert(1)')).toBeNull();
  expect(webLink(null)).toBeNull();
});
