import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { configWithDefaults } from './config.ts';
import { boardEnvironment, describeMatch, releaseConfigFields } from './releases.ts';
import { PluginContextClosed, recordActions } from './tickets.ts';

describe('release reports as a plugin makes them', () => {
  const report = {
    match: { version: '2.4.0' },
    environment: 'staging',
    runId: 'run-1',
    kind: 'deployment',
    outcome: 'failure',
  } as const;

  it('records valid reports and refuses one that names no release or is malformed, saying where', () => {
    const recorder = recordActions();
    recorder.releases.report(report);
    expect(recorder.releaseReports).toEqual([report]);
    expect(() => recorder.releases.report({ ...report, match: {} })).toThrow(
      /name the release by version, tag or commit/,
    );
    expect(() => recorder.releases.report({ ...report, match: { commit: 'xyz' } })).toThrow(
      /\/match\/commit/,
    );
    expect(() => recorder.releases.report({ ...report, outcome: 'pending' as never })).toThrow(/\/outcome/);
    recorder.close();
    expect(() => recorder.releases.report(report)).toThrow(PluginContextClosed);
    expect(recorder.releaseReports).toHaveLength(1);
  });

  it("maps the tool's environment names through the installation's config, else lower-cases them", () => {
    const config = configWithDefaults(Type.Object({ ...releaseConfigFields() }));
    expect(boardEnvironment(config, 'staging')).toBe('pre-production');
    expect(boardEnvironment(config, 'Production')).toBe('production-shadow');
    expect(boardEnvironment(config, 'System-Test')).toBe('system-test');
    expect(boardEnvironment({ environments: { qa: 'test' } }, 'qa')).toBe('test');
    expect(boardEnvironment({}, 'staging')).toBe('staging');
  });

  it('says how a report named its release', () => {
    expect(describeMatch({ tag: 'v9.9.9', commit: 'abcdef01' })).toBe('tag v9.9.9 / commit abcdef01');
    expect(describeMatch({})).toMatch(/nothing/);
  });
});
