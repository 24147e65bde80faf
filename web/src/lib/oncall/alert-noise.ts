/**
 * The alert-noise panel's numbers (issue 20), pure: per alert source (a plugin installation), its
 * tickets closed in the period and the share closed with no human action, noisiest first, the
 * board's total, and the chart of handled against untouched tickets per source. The counting is the
 * server's (GET …/reports/alert-noise); this only orders and words it.
 */
import type { ChartConfiguration } from 'chart.js';
import type { AlertNoise } from '../../../../protocol/oncall.ts';
import { axes, legend } from '../board/report-charts.ts';

/** The periods offered, in days back from now (the API takes 1–366; it defaults to 30). */
export const NOISE_PERIODS = [7, 30, 90, 365] as const;

/**
 * How a source reads: `noisy` when most of its tickets needed nobody (a threshold to tune),
 * `mixed` when some did not, `actionable` when every one was acted on, `quiet` with none closed.
 */
export type NoiseTone = 'noisy' | 'mixed' | 'actionable' | 'quiet';

export interface NoiseRow {
  installationId: string;
  name: string;
  pluginId: string;
  closed: number;
  noHumanAction: number;
  /** null when none of its tickets closed in the period */
  share: number | null;
  tone: NoiseTone;
}

/** A share from which a source counts as noisy: half its tickets or more closed untouched. */
export const NOISY_FROM = 0.5;

function toneOf(closed: number, share: number): NoiseTone {
  if (closed === 0) return 'quiet';
  if (share >= NOISY_FROM) return 'noisy';
  return share > 0 ? 'mixed' : 'actionable';
}

/** The sources, noisiest first (then by tickets closed, then by name); those with nothing closed last. */
export function noiseRows(report: AlertNoise): NoiseRow[] {
  return report.sources
    .map((s) => ({
      installationId: s.installationId,
      name: s.name,
      pluginId: s.pluginId,
      closed: s.closed,
      noHumanAction: s.noHumanAction,
      share: s.closed === 0 ? null : s.share,
      tone: toneOf(s.closed, s.share),
    }))
    .sort((a, b) => (b.share ?? -1) - (a.share ?? -1) || b.closed - a.closed || a.name.localeCompare(b.name));
}

/** Every source together: tickets closed, how many with no human action, and that share. */
export function noiseTotals(rows: readonly NoiseRow[]) {
  const closed = rows.reduce((n, r) => n + r.closed, 0);
  const noHumanAction = rows.reduce((n, r) => n + r.noHumanAction, 0);
  return {
    closed,
    noHumanAction,
    share: closed === 0 ? null : noHumanAction / closed,
    noisy: rows.filter((r) => r.tone === 'noisy').length,
  };
}

/** Per source with tickets closed: those acted on and those closed untouched, stacked. */
export function noiseChart(rows: readonly NoiseRow[]): ChartConfiguration<'bar'> {
  const shown = rows.filter((r) => r.closed > 0);
  const y = axes('tickets closed');
  return {
    type: 'bar',
    data: {
      labels: shown.map((r) => r.name),
      datasets: [
        {
          label: 'No human action',
          data: shown.map((r) => r.noHumanAction),
          backgroundColor: '#ea8a1f',
          borderRadius: 3,
          maxBarThickness: 40,
        },
        {
          label: 'Acted on',
          data: shown.map((r) => r.closed - r.noHumanAction),
          backgroundColor: '#4f46e5',
          borderRadius: 3,
          maxBarThickness: 40,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend },
      scales: { x: { ...y.x, stacked: true }, y: { ...y.y, stacked: true } },
    },
  };
}
