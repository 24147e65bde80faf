import { describe, expect, it } from 'vitest';
import { configWithDefaults, matchesPattern as globMatches, routingSchema } from '../../protocol/plugin.ts';
import { routeTicket } from './ticket-routing.ts';

const ciRouting = configWithDefaults(
  routingSchema({
    rules: [{ when: { branch: 'default' }, stream: 'development', lane: 'standard', position: 'top' }],
    fallback: { stream: 'development', lane: 'standard', position: 'bottom' },
  }),
);

describe('routing plugin tickets', () => {
  it('puts a failure on the default branch at the top of the development backlog', () => {
    const route = routeTicket(ciRouting, { kind: 'ci_failure', branch: 'main', onDefaultBranch: true });
    expect(route).toMatchObject({
      stream: 'development',
      position: 'top',
      classOfService: 'standard',
      rule: 0,
    });
  });

  it('puts a failure on a feature branch at the bottom, by the fallback', () => {
    const route = routeTicket(ciRouting, { kind: 'ci_failure', branch: 'feature/x', onDefaultBranch: false });
    expect(route).toMatchObject({ position: 'bottom', rule: null });
  });

  it('maps severity to priority and SLA tier, medium when the source gives none', () => {
    expect(routeTicket(ciRouting, { kind: 'ci_failure', severity: 'critical' })).toMatchObject({
      priority: 'critical',
      slaTier: 'P1',
    });
    expect(routeTicket(ciRouting, { kind: 'ci_failure' })).toMatchObject({
      priority: 'medium',
      slaTier: 'P3',
    });
  });

  it('routes incidents by severity and service with the first matching rule', () => {
    const routing = configWithDefaults(
      routingSchema({
        rules: [
          { when: { severity: ['critical'] }, stream: 'maintenance', lane: 'expedite', position: 'top' },
          { when: { service: 'billing-*' }, stream: 'maintenance', lane: 'fixed_date', position: 'top' },
        ],
        fallback: { stream: 'maintenance', lane: 'standard', position: 'bottom' },
      }),
      { priority: { low: 'medium' }, slaTier: { critical: 'gold' } },
    );
    expect(
      routeTicket(routing, { kind: 'incident', severity: 'critical', service: 'billing-api' }),
    ).toMatchObject({
      classOfService: 'expedite',
      slaTier: 'gold',
      rule: 0,
    });
    expect(routeTicket(routing, { kind: 'incident', severity: 'low', service: 'billing-api' })).toMatchObject(
      {
        classOfService: 'fixed_date',
        priority: 'medium',
        rule: 1,
      },
    );
    expect(routeTicket(routing, { kind: 'incident', severity: 'high', service: 'search' })).toMatchObject({
      classOfService: 'standard',
      position: 'bottom',
      rule: null,
    });
  });

  it('matches branch patterns with * and nothing else as a wildcard', () => {
    expect(globMatches('release/*', 'release/1.2')).toBe(true);
    expect(globMatches('release/*', 'hotfix/1.2')).toBe(false);
    expect(globMatches('v1.2', 'v1x2')).toBe(false);
  });
});
