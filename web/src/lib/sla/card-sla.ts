/**
 * The card panel's "Service level" section, the pure part: the impact and urgency choices a board's
 * matrix offers, and how one clock reads (time left, over, met or paused) at `now`. The server gives
 * deadlines as instants, so the browser counts down with its own clock, as the chips do.
 */
import type { CardSla, SlaClockView, WaitingOn } from '../../../../protocol/sla.ts';
import { formatSpan } from './sla-chip.ts';

export interface LevelOption {
  value: number;
  label: string;
}

/** 1 (highest) to the matrix's size; the SLA document names no levels, so they are numbers. */
export function levelOptions(size: number): LevelOption[] {
  return Array.from({ length: size }, (_, i) => {
    const n = i + 1;
    const hint = n === 1 ? ' – highest' : n === size ? ' – lowest' : '';
    return { value: n, label: `${n}${hint}` };
  });
}

export type ClockTone = 'ok' | 'warning' | 'breached' | 'met' | 'paused';

export interface ClockLine {
  tone: ClockTone;
  /** "2h 05m left", "3m 10s over", "met", "paused" */
  text: string;
}

export const WAITING_TEXT: Record<WaitingOn, string> = {
  customer: 'the customer',
  third_party: 'a third party',
};

/** How one of a card's clocks reads at `now` (ms). */
export function clockLine(view: SlaClockView, waiting: CardSla['waiting'], now: number): ClockLine {
  if (view.metAt !== null || view.status === 'met') return { tone: 'met', text: 'met' };
  const breachAt = view.breachAt === null ? null : Date.parse(view.breachAt);
  if (view.status === 'paused' || waiting !== null || breachAt === null)
    return { tone: 'paused', text: 'paused' };
  const left = breachAt - now;
  if (view.status === 'breached' || left <= 0) return { tone: 'breached', text: `${formatSpan(-left)} over` };
  const warningAt = view.warningAt === null ? null : Date.parse(view.warningAt);
  const tone = view.status === 'warning' || (warningAt !== null && now >= warningAt) ? 'warning' : 'ok';
  return { tone, text: `${formatSpan(left)} left` };
}
