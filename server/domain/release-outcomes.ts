/**
 * Release outcomes (issue 17): the release-management maturity metrics, per release and as trends.
 * Pure rules over facts the repo reads (server/releases/outcomes-repo.ts); no I/O here.
 *
 * The cost model is the board's (configurable) and documented here:
 * - `day_rate`: cost = day rate × team size × days from the release's start to go-live, where the
 *   start is its creation or, with `startFrom: 'first_deployment'`, its first deployment run
 *   (its creation when it never had one). Days are calendar days, fractional.
 * - `per_point`: cost = cost per point × the points (estimates) in the release's scope at go-live
 *   (cards linked later, such as incidents, are not part of what was built).
 *
 * Change failure: a live release failed when it had a stop or a defect raised after going live, or a
 * linked critical or high incident created within the window after go-live.
 * Time to restore: from a linked incident's creation to its resolution (done), resolved ones only.
 * Downtime: the summed durations of linked incidents labelled as outages (`outage`), from creation
 * to resolution, or to the end of the window when still open (never past it).
 */

export const COST_MODELS = ['day_rate', 'per_point'] as const;
export type CostModelKind = (typeof COST_MODELS)[number];

export interface CostModel {
  model: CostModelKind;
  dayRate: number;
  teamSize: number;
  pointCost: number;
  currency: string;
  startFrom: 'created' | 'first_deployment';
}

/** A board that never chose a cost model gets this one. */
export const DEFAULT_COST_MODEL: CostModel = {
  model: 'day_rate',
  dayRate: 800,
  teamSize: 5,
  pointCost: 500,
  currency: 'EUR',
  startFrom: 'created',
};

/** The labels that mark an incident as an outage (case-insensitive). */
export const OUTAGE_LABELS = ['outage'] as const;

const DAY_MS = 86_400_000;

/** What the repo knows of one live release. */
export interface ReleaseOutcomeFacts {
  releaseId: string;
  version: string;
  createdAt: Date;
  firstDeploymentAt: Date | null;
  liveAt: Date;
  pointsInScope: number;
  /** Incidents created in the window: linked to the release or sharing one of its services. */
  incidents: number;
  linkedIncidents: number;
  severeLinkedIncidents: number;
  /** A stop or a defect raised after going live. */
  failedAfterLive: boolean;
  /** Linked incidents resolved: seconds from creation to resolution. */
  restoreSeconds: readonly number[];
  /** Linked outage incidents: seconds each was down (already capped to the window). */
  outageSeconds: readonly number[];
}

export interface ReleaseOutcome {
  releaseId: string;
  version: string;
  liveAt: string;
  month: string;
  incidents: number;
  linkedIncidents: number;
  downtimeMinutes: number;
  cost: number;
  failed: boolean;
  restoreMedianMinutes: number | null;
  restoreMeanMinutes: number | null;
}

export interface OutcomeTotals {
  releases: number;
  incidents: number;
  downtimeMinutes: number;
  cost: number;
  costPerRelease: number | null;
  changeFailureRate: number | null;
  restoreMedianMinutes: number | null;
  restoreMeanMinutes: number | null;
}

export type MonthTrend = OutcomeTotals & { month: string };

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const minutes = (seconds: number | null) => (seconds === null ? null : round2(seconds / 60));

/** The release's cost under the board's model. */
export function releaseCost(
  model: CostModel,
  f: Pick<ReleaseOutcomeFacts, 'createdAt' | 'firstDeploymentAt' | 'liveAt' | 'pointsInScope'>,
): number {
  if (model.model === 'per_point') return round2(model.pointCost * f.pointsInScope);
  const start = model.startFrom === 'first_deployment' ? (f.firstDeploymentAt ?? f.createdAt) : f.createdAt;
  const days = Math.max(0, f.liveAt.getTime() - start.getTime()) / DAY_MS;
  return round2(model.dayRate * model.teamSize * days);
}

/** A live release failed: stopped or a defect after go-live, or a severe linked incident in the window. */
export function changeFailed(
  f: Pick<ReleaseOutcomeFacts, 'failedAfterLive' | 'severeLinkedIncidents'>,
): boolean {
  return f.failedAfterLive || f.severeLinkedIncidents > 0;
}

export function releaseOutcome(model: CostModel, f: ReleaseOutcomeFacts): ReleaseOutcome {
  return {
    releaseId: f.releaseId,
    version: f.version,
    liveAt: f.liveAt.toISOString(),
    month: f.liveAt.toISOString().slice(0, 7),
    incidents: f.incidents,
    linkedIncidents: f.linkedIncidents,
    downtimeMinutes: round2(f.outageSeconds.reduce((a, b) => a + b, 0) / 60),
    cost: releaseCost(model, f),
    failed: changeFailed(f),
    restoreMedianMinutes: minutes(median(f.restoreSeconds)),
    restoreMeanMinutes: minutes(mean(f.restoreSeconds)),
  };
}

/** Totals over releases; time to restore over all their linked incidents (not a median of medians). */
export function totals(
  outcomes: readonly ReleaseOutcome[],
  facts: readonly ReleaseOutcomeFacts[],
): OutcomeTotals {
  const restores = facts.flatMap((f) => f.restoreSeconds);
  const cost = round2(outcomes.reduce((a, o) => a + o.cost, 0));
  return {
    releases: outcomes.length,
    incidents: outcomes.reduce((a, o) => a + o.incidents, 0),
    downtimeMinutes: round2(outcomes.reduce((a, o) => a + o.downtimeMinutes, 0)),
    cost,
    costPerRelease: outcomes.length ? round2(cost / outcomes.length) : null,
    changeFailureRate: outcomes.length
      ? round2(outcomes.filter((o) => o.failed).length / outcomes.length)
      : null,
    restoreMedianMinutes: minutes(median(restores)),
    restoreMeanMinutes: minutes(mean(restores)),
  };
}

/** Per release, the totals, and one trend row per month of go-live (UTC), oldest first. */
export function outcomes(model: CostModel, facts: readonly ReleaseOutcomeFacts[]) {
  const sorted = [...facts].sort((a, b) => a.liveAt.getTime() - b.liveAt.getTime());
  const releases = sorted.map((f) => releaseOutcome(model, f));
  const months = new Map<string, { o: ReleaseOutcome[]; f: ReleaseOutcomeFacts[] }>();
  releases.forEach((o, i) => {
    const m = months.get(o.month) ?? { o: [], f: [] };
    m.o.push(o);
    m.f.push(sorted[i]!);
    months.set(o.month, m);
  });
  return {
    releases,
    totals: totals(releases, sorted),
    trend: [...months].map(([month, m]): MonthTrend => ({ month, ...totals(m.o, m.f) })),
  };
}

/** One CSV field: quoted when it holds a comma, quote or line break (RFC 4180). */
export function field(v: string | number | boolean | null): string {
  const s = v === null ? '' : String(v);
  // A leading =, +, - or @ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export const CSV_COLUMNS = [
  'version',
  'live_at',
  'incidents',
  'linked_incidents',
  'downtime_minutes',
  'cost',
  'failed',
  'restore_median_minutes',
  'restore_mean_minutes',
] as const;

export function outcomesCsv(releases: readonly ReleaseOutcome[]): string {
  const rows = releases.map((o) =>
    [
      o.version,
      o.liveAt,
      o.incidents,
      o.linkedIncidents,
      o.downtimeMinutes,
      o.cost,
      o.failed,
      o.restoreMedianMinutes,
      o.restoreMeanMinutes,
    ]
      .map(field)
      .join(','),
  );
  return `${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}
