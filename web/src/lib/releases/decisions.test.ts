import { describe, expect, it } from 'vitest';
import { aRelease } from '../board/test-builders.ts';
import { firebreakWaitingFor, goWaitingFor, mayApproveFirebreak, readinessOpen } from './decisions.ts';

const firebreak = {
  environment: 'pre-production',
  reason: 'schema change',
  approvers: ['product_owner' as const, 'maintenance' as const],
  approvedBy: [{ userId: 'u1', role: 'product_owner' as const }],
  manualTests: [],
};

describe('what a release still waits for', () => {
  it('the firebreak waits for the roles that have not approved; only they may approve', () => {
    expect(firebreakWaitingFor(firebreak)).toEqual(['maintenance']);
    const release = aRelease({ state: 'firebreak', firebreak });
    expect(mayApproveFirebreak(release, 'maintenance')).toBe(true);
    expect(mayApproveFirebreak(release, 'product_owner')).toBe(false);
    expect(mayApproveFirebreak(release, 'developer')).toBe(false);
    expect(mayApproveFirebreak(aRelease({ state: 'live', firebreak }), 'maintenance')).toBe(false);
  });

  it('go-live waits for each role of the policy, matched by distinct people', () => {
    const go = (userId: string, role: 'product_owner' | 'maintenance') => ({
      userId,
      userName: userId,
      role,
      verdict: 'go' as const,
      reason: '',
      at: '2026-12-04T00:00:00.000Z',
    });
    expect(goWaitingFor({ approvers: ['product_owner', 'maintenance'], verdicts: [] })).toEqual([
      'product_owner',
      'maintenance',
    ]);
    expect(
      goWaitingFor({ approvers: ['product_owner', 'maintenance'], verdicts: [go('p', 'product_owner')] }),
    ).toEqual(['maintenance']);
    expect(
      goWaitingFor({ approvers: ['maintenance', 'maintenance'], verdicts: [go('m', 'maintenance')] }),
    ).toEqual(['maintenance']);
  });

  it('a readiness item is open until done or waived with a reason', () => {
    const items = [
      { key: 'a', label: 'A', done: true },
      { key: 'b', label: 'B', done: false, waivedReason: 'no runbook for a library' },
      { key: 'c', label: 'C', done: false, waivedReason: '  ' },
      { key: 'd', label: 'D', done: false },
    ];
    expect(readinessOpen(items).map((i) => i.key)).toEqual(['c', 'd']);
  });
});
