import { describe, expect, it } from 'vitest';
import type { AlertNoise } from '../../../../protocol/oncall.ts';
import { noiseChart, noiseRows, noiseTotals } from './alert-noise.ts';

let n = 0;
function source(name: string, closed: number, noHumanAction: number): AlertNoise['sources'][number] {
  n++;
  return {
    installationId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    pluginId: 'generic-incident',
    name,
    closed,
    noHumanAction,
    share: closed === 0 ? 0 : noHumanAction / closed,
  };
}
const report = (...sources: AlertNoise['sources']): AlertNoise => ({
  from: '2026-11-05T00:00:00.000Z',
  sources,
});

describe('alert noise per source', () => {
  it('puts the noisiest source first and the ones with nothing closed last', () => {
    const rows = noiseRows(
      report(
        source('Alertmanager', 4, 1),
        source('Grafana', 0, 0),
        source('Pingdom', 2, 2),
        source('Jenkins', 3, 0),
      ),
    );
    expect(rows.map((r) => [r.name, r.share, r.tone])).toEqual([
      ['Pingdom', 1, 'noisy'],
      ['Alertmanager', 0.25, 'mixed'],
      ['Jenkins', 0, 'actionable'],
      ['Grafana', null, 'quiet'],
    ]);
  });

  it('counts half untouched as noisy, and breaks a tie of shares by tickets closed, then name', () => {
    const rows = noiseRows(report(source('B', 2, 1), source('A', 2, 1), source('C', 4, 2)));
    expect(rows.map((r) => [r.name, r.tone])).toEqual([
      ['C', 'noisy'],
      ['A', 'noisy'],
      ['B', 'noisy'],
    ]);
  });

  it('adds every source up; no share when nothing closed', () => {
    expect(noiseTotals(noiseRows(report(source('A', 3, 1), source('B', 1, 1))))).toEqual({
      closed: 4,
      noHumanAction: 2,
      share: 0.5,
      noisy: 1,
    });
    expect(noiseTotals(noiseRows(report(source('A', 0, 0))))).toMatchObject({
      closed: 0,
      share: null,
      noisy: 0,
    });
  });

  it('charts untouched against acted-on tickets per source that closed any', () => {
    const config = noiseChart(noiseRows(report(source('A', 3, 1), source('Quiet', 0, 0))));
    expect(config.data.labels).toEqual(['A']);
    expect(config.data.datasets.map((d) => [d.label, d.data])).toEqual([
      ['No human action', [1]],
      ['Acted on', [2]],
    ]);
  });
});
