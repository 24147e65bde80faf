/**
 * The service report's charts as chart.js configurations (pure): SLA attainment per tier by period,
 * incidents opened by tier, mean time to acknowledge and to restore, and requester satisfaction.
 */
import type { ChartConfiguration } from 'chart.js';
import type { ReportTier, ServiceReport } from '../../../../protocol/service-report.ts';
import { axes, legend } from './report-charts.ts';

export const TIER_COLOURS: Record<ReportTier, string> = {
  critical: '#dc2626',
  high: '#ea8a1f',
  normal: '#4f46e5',
  low: '#98a1b3',
  request: '#34b37a',
};
const TIER_NAMES: Record<ReportTier, string> = {
  critical: 'Critical',
  high: 'High',
  normal: 'Normal',
  low: 'Low',
  request: 'Requests',
};

const base = { responsive: true, maintainAspectRatio: false, animation: false as const };
const rowOf = (report: ServiceReport, i: number, tier: ReportTier) =>
  report.periods[i]!.tiers.find((t) => t.tier === tier)!;
const labels = (report: ServiceReport) => report.periods.map((p) => p.key);

/** Resolution attainment (%) per tier and period; a gap where nothing of the tier was resolved. */
export function attainmentChart(report: ServiceReport): ChartConfiguration<'bar'> {
  const y = axes('% within target');
  return {
    type: 'bar',
    data: {
      labels: labels(report),
      datasets: (Object.keys(TIER_COLOURS) as ReportTier[]).map((tier) => ({
        label: TIER_NAMES[tier],
        data: report.periods.map((_, i) => {
          const a = rowOf(report, i, tier).resolutionAttainment;
          return a === null ? null : Math.round(a * 1000) / 10;
        }),
        backgroundColor: TIER_COLOURS[tier],
        borderRadius: 3,
      })),
    },
    options: { ...base, plugins: { legend }, scales: { ...y, y: { ...y.y, max: 100 } } },
  };
}

/** Incidents opened per period, stacked by tier. */
export function incidentsChart(report: ServiceReport): ChartConfiguration<'bar'> {
  const s = axes('incidents opened');
  return {
    type: 'bar',
    data: {
      labels: labels(report),
      datasets: (['critical', 'high', 'normal', 'low'] as const).map((tier) => ({
        label: TIER_NAMES[tier],
        data: report.periods.map((_, i) => rowOf(report, i, tier).opened),
        backgroundColor: TIER_COLOURS[tier],
      })),
    },
    options: {
      ...base,
      plugins: { legend },
      scales: { x: { ...s.x, stacked: true }, y: { ...s.y, stacked: true } },
    },
  };
}

/** The mean over all incident tiers of a period, weighted by how many each mean is over. */
function weighted(report: ServiceReport, i: number, which: 'mttaMinutes' | 'mttrMinutes'): number | null {
  let sum = 0;
  let n = 0;
  for (const t of report.periods[i]!.tiers) {
    if (t.tier === 'request' || t[which] === null) continue;
    const weight = which === 'mttaMinutes' ? t.opened : t.resolved;
    sum += t[which]! * weight;
    n += weight;
  }
  return n === 0 ? null : Math.round((sum / n) * 10) / 10;
}

/**
 * Incidents' mean time to restore (hours, left axis) and to acknowledge (minutes, right axis) per
 * period: the two differ a hundredfold, so one axis would flatten the acknowledgements.
 */
export function responseTimesChart(report: ServiceReport): ChartConfiguration<'line'> {
  const s = axes('hours to restore');
  const mttr = report.periods.map((_, i) => weighted(report, i, 'mttrMinutes'));
  return {
    type: 'line',
    data: {
      labels: labels(report),
      datasets: [
        {
          label: 'Mean time to restore (h)',
          data: mttr.map((m) => (m === null ? null : Math.round((m / 60) * 10) / 10)),
          borderColor: '#4f46e5',
          backgroundColor: '#4f46e5',
          tension: 0.2,
          spanGaps: true,
          yAxisID: 'y',
        },
        {
          label: 'Mean time to acknowledge (min)',
          data: report.periods.map((_, i) => weighted(report, i, 'mttaMinutes')),
          borderColor: '#ea8a1f',
          backgroundColor: '#ea8a1f',
          borderDash: [5, 3],
          tension: 0.2,
          spanGaps: true,
          yAxisID: 'ack',
        },
      ],
    },
    options: {
      ...base,
      plugins: { legend },
      scales: {
        ...s,
        ack: {
          position: 'right',
          beginAtZero: true,
          grid: { display: false },
          border: { display: false },
          ticks: { precision: 0 },
          title: { display: true, text: 'minutes to acknowledge' },
        },
      },
    },
  };
}

/** Requests fulfilled per period (bars) and their mean rating, 1 to 5 (line, right axis). */
export function satisfactionChart(report: ServiceReport): ChartConfiguration<'bar'> {
  const s = axes('requests fulfilled');
  return {
    type: 'bar',
    data: {
      labels: labels(report),
      datasets: [
        {
          label: 'Requests fulfilled',
          data: report.periods.map((p) => p.requestsFulfilled),
          backgroundColor: '#bfe6d2',
          borderRadius: 3,
          yAxisID: 'y',
          order: 2,
        },
        {
          // a line over the bars: chart.js draws mixed charts from a bar configuration
          type: 'line' as 'bar',
          label: 'Mean rating (1–5)',
          data: report.periods.map((p) => p.satisfactionMean),
          borderColor: '#0f8a5f',
          backgroundColor: '#0f8a5f',
          yAxisID: 'rating',
          order: 1,
        },
      ],
    },
    options: {
      ...base,
      plugins: { legend },
      scales: {
        ...s,
        rating: {
          position: 'right',
          min: 1,
          max: 5,
          grid: { display: false },
          border: { display: false },
          ticks: { precision: 0 },
          title: { display: true, text: 'mean rating' },
        },
      },
    },
  };
}

export const percent = (share: number | null) => (share === null ? '–' : `${Math.round(share * 1000) / 10}%`);
export const minutes = (m: number | null) =>
  m === null ? '–' : m < 120 ? `${Math.round(m)} min` : `${Math.round((m / 60) * 10) / 10} h`;
export const tierName = (tier: ReportTier) => TIER_NAMES[tier];

/** Incidents of every tier together (requests left out): attainment and means weighted by count. */
export function incidentSummary(tiers: ServiceReport['totals']) {
  let met = 0;
  let breached = 0;
  let ack = 0;
  let acked = 0;
  let restore = 0;
  let resolved = 0;
  let opened = 0;
  for (const t of tiers) {
    if (t.tier === 'request') continue;
    met += t.resolutionMet;
    breached += t.resolutionBreached;
    opened += t.opened;
    if (t.mttaMinutes !== null) {
      ack += t.mttaMinutes * t.opened;
      acked += t.opened;
    }
    if (t.mttrMinutes !== null) {
      restore += t.mttrMinutes * t.resolved;
      resolved += t.resolved;
    }
  }
  return {
    opened,
    attainment: met + breached === 0 ? null : met / (met + breached),
    mttaMinutes: acked === 0 ? null : ack / acked,
    mttrMinutes: resolved === 0 ? null : restore / resolved,
  };
}
