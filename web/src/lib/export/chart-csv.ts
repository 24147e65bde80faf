/**
 * A chart's numbers as CSV, pure: one row per label on the x axis, one column per data set, read
 * from the same chart.js configuration the chart is drawn from, so the file and the picture agree.
 */
import type { ChartConfiguration } from 'chart.js';
import { type CsvCell, toCsv } from './csv.ts';

type ChartConfig = ChartConfiguration<'bar'> | ChartConfiguration<'line'>;

export function chartCsv(config: ChartConfig, firstColumn: string): string {
  const labels = (config.data.labels ?? []) as unknown[];
  const datasets = config.data.datasets;
  const rows = labels.map((label, i): CsvCell[] => [
    String(label),
    ...datasets.map((d) => {
      const value = (d.data as unknown[])[i];
      return typeof value === 'number' ? value : null;
    }),
  ]);
  return toCsv([firstColumn, ...datasets.map((d, i) => d.label ?? `Series ${i + 1}`)], rows);
}
