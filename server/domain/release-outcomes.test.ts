import { describe, expect, it } from 'vitest';
import {
  type CostModel,
  changeFailed,
  DEFAULT_COST_MODEL,
  median,
  outcomes,
  outcomesCsv,
  type ReleaseOutcomeFacts,
  releaseCost,
} from './release-outcomes.ts';

const at = (iso: string) => new Date(iso);
function release(over: Partial<ReleaseOutcomeFacts> = {}): ReleaseOutcomeFacts {
  return {
    releaseId: 'r1',
    version: '1.0.0',
    createdAt: at('2026-01-01T00:00:00Z'),
    firstDeploymentAt: at('2026-01-03T00:00:00Z'),
    liveAt: at('2026-01-11T00:00:00Z'),
    pointsInScope: 13,
    incidents: 0,
    linkedIncidents: 0,
    severeLinkedIncidents: 0,
    failedAfterLive: false,
    restoreSeconds: [],
    outageSeconds: [],
    ...over,
  };
}
const dayRate: CostModel = { ...DEFAULT_COST_MODEL, model: 'day_rate', dayRate: 100, teamSize: 2 };

describe('the cost model', () => {
  it('day rate × team × days from creation to go-live', () => {
    expect(releaseCost(dayRate, release())).toBe(100 * 2 * 10);
  });
  it('counts from the first deployment when the board says so, else from creation', () => {
    const m: CostModel = { ...dayRate, startFrom: 'first_deployment' };
    expect(releaseCost(m, release())).toBe(100 * 2 * 8);
    expect(releaseCost(m, release({ firstDeploymentAt: null }))).toBe(100 * 2 * 10);
  });
  it('cost per point × points in scope', () => {
    expect(releaseCost({ ...dayRate, model: 'per_point', pointCost: 40 }, release())).toBe(520);
  });
  it('never negative when go-live precedes the start', () => {
    expect(releaseCost(dayRate, release({ liveAt: at('2025-12-01T00:00:00Z') }))).toBe(0);
  });
});

describe('change failure', () => {
  it('fails on a stop or defect after live, or a severe linked incident', () => {
    expect(changeFailed({ failedAfterLive: false, severeLinkedIncidents: 0 })).toBe(false);
    expect(changeFailed({ failedAfterLive: true, severeLinkedIncidents: 0 })).toBe(true);
    expect(changeFailed({ failedAfterLive: false, severeLinkedIncidents: 1 })).toBe(true);
  });
});

describe('outcomes', () => {
  it('median of even and odd counts, null when empty', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('per release, totals over all linked incidents, and one trend row per month', () => {
    const report = outcomes(dayRate, [
      release({
        releaseId: 'b',
        version: '1.1.0',
        liveAt: at('2026-02-02T00:00:00Z'),
        createdAt: at('2026-02-01T00:00:00Z'),
        incidents: 3,
        linkedIncidents: 1,
        restoreSeconds: [600],
        outageSeconds: [1800, 600],
        severeLinkedIncidents: 1,
      }),
      release({ incidents: 2, linkedIncidents: 2, restoreSeconds: [60, 120, 3000] }),
      release({
        releaseId: 'c',
        version: '1.2.0',
        liveAt: at('2026-02-20T00:00:00Z'),
        createdAt: at('2026-02-19T12:00:00Z'),
      }),
    ]);
    expect(report.releases.map((r) => r.version)).toEqual(['1.0.0', '1.1.0', '1.2.0']);
    expect(report.releases[1]).toMatchObject({
      downtimeMinutes: 40,
      failed: true,
      cost: 200,
      restoreMedianMinutes: 10,
    });
    expect(report.releases[0]).toMatchObject({
      restoreMedianMinutes: 2,
      restoreMeanMinutes: 17.67,
      failed: false,
    });
    expect(report.totals).toMatchObject({
      releases: 3,
      incidents: 5,
      downtimeMinutes: 40,
      cost: 2000 + 200 + 100,
      changeFailureRate: 0.33,
      // all four linked restores: 60, 120, 600, 3000 seconds
      restoreMedianMinutes: 6,
      restoreMeanMinutes: 15.75,
    });
    expect(report.trend.map((t) => [t.month, t.releases, t.changeFailureRate])).toEqual([
      ['2026-01', 1, 0],
      ['2026-02', 2, 0.5],
    ]);
  });

  it('an empty board has null rates, not NaN', () => {
    expect(outcomes(dayRate, []).totals).toMatchObject({
      releases: 0,
      changeFailureRate: null,
      costPerRelease: null,
    });
  });
});

describe('CSV', () => {
  it('has a header row, quotes commas and defuses formulas', () => {
    const report = outcomes(dayRate, [release({ version: '=HYPERLINK("x"),1' })]);
    const lines = outcomesCsv(report.releases).split('\r\n');
    expect(lines[0]).toBe(
      'version,live_at,incidents,linked_incidents,downtime_minutes,cost,failed,restore_median_minutes,restore_mean_minutes',
    );
    expect(lines[1]).toBe(`"'=HYPERLINK(""x""),1",2026-01-11T00:00:00.000Z,0,0,0,2000,false,,`);
    expect(lines).toHaveLength(3);
  });
});
