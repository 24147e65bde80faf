/**
 * A card's SLA chip, the pure part: which clock it shows (response until it is met, then
 * resolution), the time left to that clock's deadline as of `now`, and its colour: green, amber once
 * 75% of the target is used (its warning instant), red once breached; a paused clock shows paused.
 * The server gives each clock's deadlines as instants (business hours and pauses already counted), so
 * the browser ticks with its own clock and asks the server nothing.
 */
import { Duration } from 'luxon';
import type { CardSla, SlaClockView } from '../../../../protocol/sla.ts';

export type SlaTone = 'ok' | 'warning' | 'breached' | 'paused';

export interface SlaChip {
  which: 'response' | 'resolution';
  tone: SlaTone;
  /** what the chip reads: "4m 30s", "2h 05m", "3m over", "paused" */
  label: string;
  /** the longer text for its tooltip and screen readers */
  title: string;
}

const TONE_TEXT: Record<SlaTone, string> = {
  ok: 'on track',
  warning: 'over 75% used',
  breached: 'breached',
  paused: 'paused',
};

/** A span in its two largest units: "2d 3h", "2h 05m", "4m 30s", "45s". */
export function formatSpan(ms: number): string {
  const d = Duration.fromMillis(Math.max(0, Math.floor(ms / 1000) * 1000))
    .shiftTo('days', 'hours', 'minutes', 'seconds')
    .toObject();
  const [days, hours, minutes, seconds] = [d.days ?? 0, d.hours ?? 0, d.minutes ?? 0, d.seconds ?? 0];
  const pad = (n: number) => String(n).padStart(2, '0');
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${pad(minutes)}m`;
  if (minutes > 0) return `${minutes}m ${pad(seconds)}s`;
  return `${seconds}s`;
}

function running(view: SlaClockView): boolean {
  return view.metAt === null && view.status !== 'met';
}

/** The chip for a card's clocks at `now` (ms); null once resolved or both clocks are met (nothing is due). */
export function slaChip(clock: CardSla, now: number): SlaChip | null {
  if (clock.resolvedAt !== null) return null;
  const which = running(clock.response) ? 'response' : running(clock.resolution) ? 'resolution' : null;
  if (!which) return null;
  const view = clock[which];
  const name = which === 'response' ? 'Response' : 'Resolution';
  const target = `${clock.tier} ${clock.kind}, ${name.toLowerCase()} target ${formatSpan(view.targetMinutes * 60_000)}`;
  const breachAt = view.breachAt === null ? null : Date.parse(view.breachAt);
  if (view.status === 'paused' || clock.waiting !== null || breachAt === null) {
    const waiting = clock.waiting === 'third_party' ? 'a third party' : 'the customer';
    return {
      which,
      tone: 'paused',
      label: 'paused',
      title: `${name} clock paused, waiting on ${waiting} (${target})`,
    };
  }
  const left = breachAt - now;
  const warningAt = view.warningAt === null ? null : Date.parse(view.warningAt);
  const tone: SlaTone =
    view.status === 'breached' || left <= 0
      ? 'breached'
      : view.status === 'warning' || (warningAt !== null && now >= warningAt)
        ? 'warning'
        : 'ok';
  const label = tone === 'breached' ? `${formatSpan(-left)} over` : formatSpan(left);
  const when = tone === 'breached' ? `breached ${formatSpan(-left)} ago` : `${formatSpan(left)} left`;
  return { which, tone, label, title: `${name} ${when}, ${TONE_TEXT[tone]} (${target})` };
}
