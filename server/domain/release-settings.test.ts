import { describe, expect, it } from 'vitest';
import {
  checkReleaseSettings,
  checksByEnvironment,
  DEFAULT_RELEASE_SETTINGS,
  type ReleaseSettings,
} from './release-settings.ts';

const settings = (over: Partial<ReleaseSettings> = {}): ReleaseSettings => ({
  ...DEFAULT_RELEASE_SETTINGS,
  ...over,
});
const path = (...names: string[]) => names.map((name) => ({ name, checks: [] as string[] }));

describe('a board’s path-to-live settings', () => {
  it('accepts the defaults: test, system-test, pre-production, production-shadow, live', () => {
    expect(checkReleaseSettings(DEFAULT_RELEASE_SETTINGS)).toBeNull();
    expect(DEFAULT_RELEASE_SETTINGS.environments.map((e) => e.name)).toEqual([
      'test',
      'system-test',
      'pre-production',
      'production-shadow',
      'live',
    ]);
  });

  it('needs two environments or more, distinct, well named, the last one live', () => {
    expect(checkReleaseSettings(settings({ environments: path('live') }))).toMatchObject({
      field: 'environments',
    });
    expect(checkReleaseSettings(settings({ environments: path('test', 'test', 'live') }))).toMatchObject({
      field: 'environments.1.name',
    });
    expect(checkReleaseSettings(settings({ environments: path('Test', 'live') }))).toMatchObject({
      field: 'environments.0.name',
    });
    expect(checkReleaseSettings(settings({ environments: path('test', 'production') }))).toMatchObject({
      field: 'environments.1.name',
      message: expect.stringContaining('live'),
    });
    expect(checkReleaseSettings(settings({ environments: path('uat', 'live') }))).toBeNull();
  });

  it('refuses a check named twice in one environment, a padded name, and any check on live', () => {
    const twice = [{ name: 'test', checks: ['unit', 'unit'] }, ...path('live')];
    expect(checkReleaseSettings(settings({ environments: twice }))).toMatchObject({
      field: 'environments.0.checks.1',
    });
    const padded = [{ name: 'test', checks: [' unit'] }, ...path('live')];
    expect(checkReleaseSettings(settings({ environments: padded }))).toMatchObject({
      field: 'environments.0.checks.0',
    });
    const onLive = [...path('test'), { name: 'live', checks: ['smoke'] }];
    expect(checkReleaseSettings(settings({ environments: onLive }))).toMatchObject({
      field: 'environments.1.checks',
    });
  });

  it('refuses a go/no-go policy without approvers or naming a role that can never decide', () => {
    expect(checkReleaseSettings(settings({ approvers: [] }))).toMatchObject({ field: 'approvers' });
    expect(checkReleaseSettings(settings({ approvers: ['product_owner', 'developer'] }))).toMatchObject({
      field: 'approvers.1',
    });
    expect(checkReleaseSettings(settings({ approvers: ['maintenance', 'maintenance'] }))).toBeNull();
  });

  it('refuses readiness items with a repeated key or a blank label', () => {
    const repeated = [
      { key: 'runbook', label: 'Runbook' },
      { key: 'runbook', label: 'Again' },
    ];
    expect(checkReleaseSettings(settings({ readiness: repeated }))).toMatchObject({
      field: 'readiness.1.key',
    });
    expect(checkReleaseSettings(settings({ readiness: [{ key: 'a', label: '  ' }] }))).toMatchObject({
      field: 'readiness.0.label',
    });
    expect(checkReleaseSettings(settings({ readiness: [] }))).toBeNull();
  });

  it('places the default firebreak on an environment before live', () => {
    const at = (environment: string) =>
      settings({ firebreak: { environment, reason: 'schema change', approvers: ['product_owner'] } });
    expect(checkReleaseSettings(at('pre-production'))).toBeNull();
    expect(checkReleaseSettings(at('live'))).toMatchObject({ field: 'firebreak.environment' });
    expect(checkReleaseSettings(at('staging'))).toMatchObject({ field: 'firebreak.environment' });
  });

  it('keeps only the environments that run checks in a release’s copy', () => {
    expect(
      checksByEnvironment([
        { name: 'test', checks: ['unit', 'lint'] },
        { name: 'uat', checks: [] },
        ...path('live'),
      ]),
    ).toEqual({ test: ['unit', 'lint'] });
  });
});
