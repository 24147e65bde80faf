/**
 * The report numbers turned into what the charts and the flow table show, as pure functions: chart.js
 * configurations for velocity, burndown and cumulative flow, and cycle/lead time statistics.
 */
import type { ChartConfiguration } from 'chart.js';
import type { Burndown, FlowReport, Velocity } from '../../../../protocol/model.ts';

// Text and grid lines take Chart.defaults.color / borderColor, which ChartCanvas sets from the
// page's theme, so the same configuration reads in light and dark.
const FONT = { family: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', size: 12 };

export const axes = (yTitle: string) => ({
  x: { grid: { display: false }, ticks: { font: FONT, maxRotation: 0, autoSkipPadding: 12 } },
  y: {
    beginAtZero: true,
    border: { display: false },
    ticks: { font: FONT, precision: 0 },
    title: { display: true, text: yTitle, font: FONT },
  },
});

export const legend = {
  position: 'bottom' as const,
  labels: {
    font: FONT,
    boxWidth: 10,
    boxHeight: 10,
    usePointStyle: true,
    pointStyle: 'rectRounded' as const,
  },
};

/**
 * A fixed bar thickness makes chart.js set each sprint's two bars side by side at the centre of its
 * slot; with a flexible one they are spread over the slot, far apart when there are only a few
 * sprints. Six sprints (the report's window) fit in 340 px.
 */
export function velocityChart(velocity: Velocity): ChartConfiguration<'bar'> {
  return {
    type: 'bar',
    data: {
      labels: velocity.map((v) => v.name),
      datasets: [
        {
          label: 'Committed',
          data: velocity.map((v) => v.committed),
          backgroundColor: '#c9c6fb',
          borderRadius: 4,
          barThickness: 28,
        },
        {
          label: 'Completed',
          data: velocity.map((v) => v.completed),
          backgroundColor: '#4f46e5',
          borderRadius: 4,
          barThickness: 28,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend },
      scales: axes('points'),
    },
  };
}

const shortDate = (iso: string) =>
  new Date(`${iso}T00:00:00`).toLocaleDateString(undefined, { day: 'numeric', month: 'short' });

export function burndownChart(burndown: Burndown): ChartConfiguration<'line'> {
  return {
    type: 'line',
    data: {
      labels: burndown.days.map((d) => shortDate(d.date)),
      datasets: [
        {
          label: 'Remaining',
          data: burndown.days.map((d) => d.remaining),
          borderColor: '#4f46e5',
          backgroundColor: 'rgba(79, 70, 229, 0.12)',
          fill: 'origin',
          tension: 0.15,
          pointRadius: 3,
          spanGaps: false,
        },
        {
          label: 'Ideal',
          data: burndown.days.map((d) => d.ideal),
          borderColor: '#9aa3b2',
          backgroundColor: '#9aa3b2',
          borderDash: [6, 4],
          borderWidth: 1.5,
          pointRadius: 0,
          fill: false,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend },
      scales: axes('points remaining'),
    },
  };
}

/** Colours for the maintenance columns, from the backlog side to done. */
const FLOW_COLOURS = ['#98a1b3', '#7c74f2', '#e7a33e', '#d46ba8', '#3fa7c9', '#34b37a'];

/** The colour of the column at `index` of `count`: the last (done) column is always green. */
export function flowColour(index: number, count: number): string {
  if (index === count - 1) return '#34b37a';
  return FLOW_COLOURS[index % (FLOW_COLOURS.length - 1)]!;
}

/** Stacked areas, the done column at the bottom as a cumulative flow diagram is read. */
export function flowChart(flow: FlowReport): ChartConfiguration<'line'> {
  const count = flow.columns.length;
  const datasets = flow.columns
    .map((column, index) => {
      const colour = flowColour(index, count);
      return {
        label: column.name,
        data: flow.cumulativeFlow.map((day) => day.counts[column.id] ?? 0),
        borderColor: colour,
        backgroundColor: `${colour}b3`,
        borderWidth: 1,
        pointRadius: 0,
        tension: 0.2,
        fill: index === count - 1 ? ('origin' as const) : ('-1' as const),
      };
    })
    .reverse();
  return {
    type: 'line',
    data: { labels: flow.cumulativeFlow.map((d) => shortDate(d.date)), datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: 'index', intersect: false },
      plugins: { legend: { ...legend, reverse: true } },
      scales: { ...axes('cards'), y: { ...axes('cards').y, stacked: true } },
    },
  };
}

// ---- cycle and lead time -------------------------------------------------------------------------

export interface TimeStats {
  count: number;
  mean: number | null;
  p50: number | null;
  p85: number | null;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function timeStats(hours: readonly (number | null)[]): TimeStats {
  const values = hours.filter((h): h is number => h !== null).sort((a, b) => a - b);
  return {
    count: values.length,
    mean: values.length ? values.reduce((s, v) => s + v, 0) / values.length : null,
    p50: percentile(values, 50),
    p85: percentile(values, 85),
  };
}

/** "45 min", "5.5 h", "3.2 d" */
export function formatHours(hours: number | null): string {
  if (hours === null) return '–';
  if (hours < 1) return `${Math.max(1, Math.round(hours * 60))} min`;
  if (hours < 24) return `${Math.round(hours * 10) / 10} h`;
  return `${Math.round((hours / 24) * 10) / 10} d`;
}
