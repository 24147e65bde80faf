/**
 * Warranty requirements, pure (issue 17): whether a release's non-functional acceptance criterion is
 * met by what was measured, the availability hyper-care data gives directly, and the refusals of a
 * target that cannot be measured against. No I/O: the service reads the facts and writes the result.
 */
import type {
  WarrantyCategory,
  WarrantyComparison,
  WarrantyStatus,
  WarrantyTarget,
} from '../../protocol/warranty.ts';

export interface Refusal {
  field: string;
  message: string;
}

const PERCENT = new Set(['%', 'percent']);

/** A target that cannot be measured against: a percentage outside 0–100, a negative duration or count. */
export function checkTarget(category: WarrantyCategory, target: WarrantyTarget): Refusal | null {
  if (PERCENT.has(target.unit.trim().toLowerCase()) && (target.value < 0 || target.value > 100))
    return { field: 'value', message: 'a percentage is between 0 and 100' };
  if (category !== 'security' && target.value < 0)
    return {
      field: 'value',
      message: 'an availability, capacity, continuity or performance target is not negative',
    };
  return null;
}

/** Met when the measure is on the right side of the target (inclusive); no measure: not measured. */
export function assess(
  target: Pick<WarrantyTarget, 'comparison' | 'value'>,
  measured: number | null,
): WarrantyStatus {
  if (measured === null) return 'not_measured';
  const ok: Record<WarrantyComparison, boolean> = {
    gte: measured >= target.value,
    lte: measured <= target.value,
  };
  return ok[target.comparison] ? 'met' : 'not_met';
}

/** The measurement that counts: the latest measured, and of two measured at once the latest recorded. */
export function latest<M extends { measuredAt: string; recordedAt: string }>(
  measurements: readonly M[],
): M | null {
  let best: M | null = null;
  for (const m of measurements) {
    if (
      !best ||
      m.measuredAt > best.measuredAt ||
      (m.measuredAt === best.measuredAt && m.recordedAt > best.recordedAt)
    )
      best = m;
  }
  return best;
}

export function summarise(statuses: readonly WarrantyStatus[]) {
  return {
    met: statuses.filter((s) => s === 'met').length,
    notMet: statuses.filter((s) => s === 'not_met').length,
    notMeasured: statuses.filter((s) => s === 'not_measured').length,
  };
}

/** What hyper-care knows of a live release: its window so far and its linked outages. */
export interface HypercareFacts {
  startedAt: Date;
  /** the end of what was observed: the exit, else now */
  until: Date;
  /** linked outage incidents: seconds each was down within [startedAt, until] */
  outageSeconds: readonly number[];
}

/**
 * The measure hyper-care gives directly, for an availability target in percent: the share of the
 * hyper-care window so far not lost to linked outage incidents (the same outages the release
 * outcomes count as downtime). Null for other targets, or before any time has passed.
 */
export function suggestedMeasure(
  requirement: { category: WarrantyCategory; target: Pick<WarrantyTarget, 'unit'> },
  facts: HypercareFacts | null,
): { value: number; basis: string } | null {
  if (!facts || requirement.category !== 'availability') return null;
  if (!PERCENT.has(requirement.target.unit.trim().toLowerCase())) return null;
  const windowSeconds = (facts.until.getTime() - facts.startedAt.getTime()) / 1000;
  if (windowSeconds <= 0) return null;
  const down = Math.min(
    windowSeconds,
    facts.outageSeconds.reduce((a, s) => a + Math.max(0, s), 0),
  );
  // Rounded down to 0.001 %, so a suggestion never claims a target the outages missed (the epsilon
  // keeps 99.9 from becoming 99.899 through binary fractions).
  const value = Math.floor((1 - down / windowSeconds) * 100_000 + 1e-6) / 1000;
  const minutes = Math.round(down / 60);
  const outages = facts.outageSeconds.length;
  return {
    value,
    basis: `${minutes} min down in ${outages} linked outage${outages === 1 ? '' : 's'} over ${formatSpan(windowSeconds)} of hyper-care`,
  };
}

function formatSpan(seconds: number): string {
  const hours = seconds / 3600;
  if (hours < 1) return `${Math.round(seconds / 60)} min`;
  if (hours < 48) return `${Math.round(hours * 10) / 10} h`;
  return `${Math.round((hours / 24) * 10) / 10} days`;
}
