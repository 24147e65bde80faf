/** Test fixtures: SLA clock views at fixed instants, shared by the SLA chip and card-panel tests. */
import type { SlaClockView } from '../../../../protocol/sla.ts';

export const T0 = Date.parse('2026-12-05T09:00:00Z');
export const MIN = 60_000;
export const at = (ms: number) => new Date(T0 + ms).toISOString();

/** A running clock started at T0 with a target of `minutes`. */
export function view(minutes: number, over: Partial<SlaClockView> = {}): SlaClockView {
  return {
    targetMinutes: minutes,
    elapsedMs: 0,
    leftMs: minutes * MIN,
    warningAt: at(minutes * MIN * 0.75),
    breachAt: at(minutes * MIN),
    metAt: null,
    status: 'ok',
    ...over,
  };
}
