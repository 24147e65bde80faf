/**
 * SLA rules, pure (issue 20): priority from impact × urgency, the board's SLA document and its checks,
 * business-time arithmetic over a calendar (24x7, or weekly hours in a time zone with holidays), and
 * a card's response and resolution clocks: elapsed calendar time, the 75% warning and 100% breach
 * instants, time left and status. Time zones and daylight saving are Luxon's; nothing here adds hours
 * by hand. Instants are epoch milliseconds.
 */
import { DateTime, IANAZone } from 'luxon';
import type {
  Calendar,
  ClockStatus,
  SlaDocument,
  SlaStage,
  SlaTarget,
  SlaTier,
  Weekday,
} from '../../protocol/sla.ts';
import { SLA_STAGES, WEEKDAYS } from '../../protocol/sla.ts';

export interface Refusal {
  field: string;
  message: string;
}

// ---- priority ------------------------------------------------------------------------------------

/** ITIL's usual 3×3: impact (rows) × urgency (columns), 1 = highest. */
export const DEFAULT_MATRIX: SlaTier[][] = [
  ['critical', 'high', 'normal'],
  ['high', 'normal', 'low'],
  ['normal', 'low', 'low'],
];

/** The tier of an impact and urgency (1 = highest) on the board's matrix; null when off the matrix. */
export function tierOf(matrix: SlaTier[][], impact: number, urgency: number): SlaTier | null {
  return matrix[impact - 1]?.[urgency - 1] ?? null;
}

/** A card's priority as a tier, for cards nobody has rated by impact and urgency. */
export function tierOfPriority(priority: string): SlaTier {
  if (priority === 'critical' || priority === 'high' || priority === 'low') return priority;
  return 'normal';
}

// ---- the document --------------------------------------------------------------------------------

const OFFICE: Calendar = {
  kind: 'business',
  timeZone: 'Europe/London',
  hours: Object.fromEntries(
    (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((d) => [d, [{ from: '09:00', to: '17:00' }]]),
  ),
  holidays: [],
};
const H = 60;

/** What a board has until someone writes its own: critical incidents round the clock, the rest in office hours. */
export const DEFAULT_SLA: SlaDocument = {
  matrix: DEFAULT_MATRIX,
  tiers: {
    critical: { responseMinutes: 15, resolutionMinutes: 4 * H, calendar: { kind: '24x7' } },
    high: { responseMinutes: 1 * H, resolutionMinutes: 8 * H, calendar: OFFICE },
    normal: { responseMinutes: 4 * H, resolutionMinutes: 3 * 8 * H, calendar: OFFICE },
    low: { responseMinutes: 8 * H, resolutionMinutes: 10 * 8 * H, calendar: OFFICE },
  },
  request: { responseMinutes: 8 * H, resolutionMinutes: 5 * 8 * H, calendar: OFFICE },
};

/** A year of minutes: a longer target is a typo, and laying it out would walk the calendar for ever. */
export const MAX_TARGET_MINUTES = 366 * 24 * 60;

const minuteOfDay = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function checkCalendar(calendar: Calendar, field: string): Refusal | null {
  if (calendar.kind === '24x7') return null;
  if (!IANAZone.isValidZone(calendar.timeZone))
    return { field: `${field}.timeZone`, message: `unknown time zone ${calendar.timeZone}` };
  let open = false;
  for (const day of WEEKDAYS) {
    const windows = (calendar.hours[day] ?? []).map((w, i) => ({
      i,
      from: minuteOfDay(w.from),
      to: minuteOfDay(w.to),
    }));
    for (const w of windows)
      if (w.from >= w.to)
        return { field: `${field}.hours.${day}[${w.i}]`, message: 'from must be before to' };
    const sorted = [...windows].sort((a, b) => a.from - b.from);
    for (let k = 1; k < sorted.length; k++)
      if (sorted[k]!.from < sorted[k - 1]!.to)
        return {
          field: `${field}.hours.${day}[${sorted[k]!.i}]`,
          message: 'overlaps another window that day',
        };
    if (windows.length > 0) open = true;
  }
  if (!open) return { field: `${field}.hours`, message: 'open on at least one day of the week' };
  for (const [i, day] of calendar.holidays.entries())
    if (!DateTime.fromISO(day, { zone: calendar.timeZone }).isValid)
      return { field: `${field}.holidays[${i}]`, message: 'not a calendar day' };
  return null;
}

function checkTarget(target: SlaTarget, field: string): Refusal | null {
  for (const key of ['responseMinutes', 'resolutionMinutes'] as const) {
    const v = target[key];
    if (!Number.isFinite(v) || v <= 0) return { field: `${field}.${key}`, message: 'must be more than 0' };
    if (v > MAX_TARGET_MINUTES) return { field: `${field}.${key}`, message: `at most ${MAX_TARGET_MINUTES}` };
  }
  return checkCalendar(target.calendar, `${field}.calendar`);
}

/** The document's first fault, naming its field (`tiers.high.calendar.timeZone`), or null. */
export function checkSlaDocument(doc: SlaDocument): Refusal | null {
  const n = doc.matrix.length;
  for (const [i, row] of doc.matrix.entries())
    if (row.length !== n)
      return { field: `matrix[${i}]`, message: `the matrix is ${n}×${n}: ${n} tiers a row` };
  for (const tier of ['critical', 'high', 'normal', 'low'] as const) {
    const refusal = checkTarget(doc.tiers[tier], `tiers.${tier}`);
    if (refusal) return refusal;
  }
  return checkTarget(doc.request, 'request');
}

// ---- business time -------------------------------------------------------------------------------

/** How far a calendar is walked looking for open time (a calendar of holidays only never opens). */
const MAX_DAYS = 3 * 366;

/**
 * The calendar's open intervals [from, to) that meet [from, until), in order, clipped to it. Each day's
 * windows are laid out in the calendar's zone by Luxon, so a window across a daylight-saving change
 * is as long as the clocks on the wall say it is in real time (an hour shorter or longer).
 */
export function* openIntervals(calendar: Calendar, from: number, until: number): Generator<[number, number]> {
  if (until <= from) return;
  if (calendar.kind === '24x7') {
    yield [from, until];
    return;
  }
  const zone = calendar.timeZone;
  const holidays = new Set(calendar.holidays);
  const first = DateTime.fromMillis(from, { zone }).startOf('day');
  for (let i = 0; i < MAX_DAYS; i++) {
    const day = first.plus({ days: i });
    const dayStart = day.toMillis();
    if (dayStart >= until) return;
    if (holidays.has(day.toISODate()!)) continue;
    const windows = calendar.hours[WEEKDAYS[day.weekday - 1] as Weekday] ?? [];
    for (const w of [...windows].sort((a, b) => minuteOfDay(a.from) - minuteOfDay(b.from))) {
      const s = Math.max(localInstant(day, w.from), from);
      const e = Math.min(localInstant(day, w.to), until);
      if (e > s) yield [s, e];
    }
  }
}

/** The instant a wall-clock time of a day has in its zone (a time skipped by spring-forward moves on). */
function localInstant(day: DateTime, hhmm: string): number {
  if (hhmm === '24:00') return day.plus({ days: 1 }).startOf('day').toMillis();
  return DateTime.fromObject(
    {
      year: day.year,
      month: day.month,
      day: day.day,
      hour: Number(hhmm.slice(0, 2)),
      minute: Number(hhmm.slice(3)),
    },
    { zone: day.zone },
  ).toMillis();
}

/** Open time of the calendar between two instants, in milliseconds. */
export function businessMs(calendar: Calendar, from: number, to: number): number {
  let total = 0;
  for (const [s, e] of openIntervals(calendar, from, to)) total += e - s;
  return total;
}

/** The instant `ms` of open time after `from`; null when the calendar does not open again in reach. */
export function addBusinessMs(calendar: Calendar, from: number, ms: number): number | null {
  if (ms <= 0) return from;
  let left = ms;
  for (const [s, e] of openIntervals(calendar, from, Number.POSITIVE_INFINITY)) {
    if (e - s >= left) return s + left;
    left -= e - s;
  }
  return null;
}

// ---- clocks --------------------------------------------------------------------------------------

export type ClockKind = 'response' | 'resolution';

/** What a card's clocks are computed from. */
export interface ClockFacts {
  kind: 'incident' | 'request';
  startedAt: number;
  /** the tier from each instant on, in order; the first at or before startedAt */
  tiers: { at: number; tier: SlaTier }[];
  /** waiting on the customer or a third party; `to` null while it lasts */
  pauses: { from: number; to: number | null }[];
  /** first human action (a person's comment or move) */
  responseMetAt: number | null;
  resolvedAt: number | null;
}

export interface ClockState {
  targetMinutes: number;
  elapsedMs: number;
  leftMs: number;
  warningAt: number | null;
  breachAt: number | null;
  metAt: number | null;
  status: ClockStatus;
}

export const WARNING_FRACTION = 0.75;

const targetOf = (doc: SlaDocument, kind: ClockFacts['kind'], tier: SlaTier): SlaTarget =>
  kind === 'request' ? doc.request : doc.tiers[tier];

const minutesOf = (target: SlaTarget, clock: ClockKind) =>
  clock === 'response' ? target.responseMinutes : target.resolutionMinutes;

interface Segment {
  from: number;
  to: number;
  tier: SlaTier;
}

/** When the clock runs: from its start to its stop, less the pauses, cut where the tier changes. */
function runningSegments(facts: ClockFacts, stoppedAt: number | null): Segment[] {
  let spans: [number, number][] = [[facts.startedAt, stoppedAt ?? Number.POSITIVE_INFINITY]];
  for (const p of facts.pauses) {
    const pf = p.from;
    const pt = p.to ?? Number.POSITIVE_INFINITY;
    spans = spans.flatMap(([s, e]): [number, number][] => {
      if (pt <= s || pf >= e) return [[s, e]];
      const out: [number, number][] = [];
      if (pf > s) out.push([s, pf]);
      if (pt < e) out.push([pt, e]);
      return out;
    });
  }
  const cuts = facts.tiers.map((t) => t.at);
  const out: Segment[] = [];
  for (const [s, e] of spans) {
    const points = [s, ...cuts.filter((c) => c > s && c < e).sort((a, b) => a - b), e];
    for (let k = 0; k + 1 < points.length; k++)
      out.push({ from: points[k]!, to: points[k + 1]!, tier: tierAt(facts, points[k]!) });
  }
  return out.filter((seg) => seg.to > seg.from);
}

/**
 * The instant the clock first reaches `fraction` of its target: walking its running time in order,
 * each stretch measured in the calendar and against the target of the tier it ran under. A tier
 * change keeps the time elapsed; if the new, shorter target is already passed, the instant is the
 * change itself. Null when the clock stops or pauses first.
 */
function thresholdAt(
  doc: SlaDocument,
  facts: ClockFacts,
  clock: ClockKind,
  segments: Segment[],
  fraction: number,
): number | null {
  let elapsed = 0;
  for (const seg of segments) {
    const target = targetOf(doc, facts.kind, seg.tier);
    const threshold = fraction * minutesOf(target, clock) * 60_000;
    if (threshold - elapsed <= 0) return seg.from;
    if (seg.to === Number.POSITIVE_INFINITY)
      return addBusinessMs(target.calendar, seg.from, threshold - elapsed);
    const length = businessMs(target.calendar, seg.from, seg.to);
    if (elapsed + length >= threshold) return addBusinessMs(target.calendar, seg.from, threshold - elapsed);
    elapsed += length;
  }
  return null;
}

function elapsedUntil(doc: SlaDocument, facts: ClockFacts, segments: Segment[], now: number): number {
  let total = 0;
  for (const seg of segments) {
    if (seg.from >= now) break;
    total += businessMs(targetOf(doc, facts.kind, seg.tier).calendar, seg.from, Math.min(seg.to, now));
  }
  return total;
}

/** The tier at an instant (before the first recorded one: the first). */
export function tierAt(facts: ClockFacts, at: number): SlaTier {
  let tier = facts.tiers[0]!.tier;
  for (const t of facts.tiers) if (t.at <= at) tier = t.tier;
  return tier;
}

export const isPaused = (facts: ClockFacts, at: number) =>
  facts.pauses.some((p) => p.from <= at && (p.to === null || p.to > at));

/** One clock of a card at `now`. The response clock stops at the first human action or at resolution. */
export function clockState(doc: SlaDocument, facts: ClockFacts, clock: ClockKind, now: number): ClockState {
  const stoppedAt = clock === 'response' ? (facts.responseMetAt ?? facts.resolvedAt) : facts.resolvedAt;
  const segments = runningSegments(facts, stoppedAt);
  const warningAt = thresholdAt(doc, facts, clock, segments, WARNING_FRACTION);
  const breachAt = thresholdAt(doc, facts, clock, segments, 1);
  const targetMinutes = minutesOf(targetOf(doc, facts.kind, tierAt(facts, stoppedAt ?? now)), clock);
  const elapsedMs = elapsedUntil(doc, facts, segments, stoppedAt === null ? now : Math.min(now, stoppedAt));
  const breached = breachAt !== null && breachAt <= (stoppedAt ?? now);
  let status: ClockStatus;
  if (breached) status = 'breached';
  else if (stoppedAt !== null && stoppedAt <= now) status = 'met';
  else if (isPaused(facts, now)) status = 'paused';
  else if (warningAt !== null && warningAt <= now) status = 'warning';
  else status = 'ok';
  return {
    targetMinutes,
    elapsedMs,
    leftMs: targetMinutes * 60_000 - elapsedMs,
    warningAt,
    breachAt,
    metAt: stoppedAt !== null && stoppedAt <= now ? stoppedAt : null,
    status,
  };
}

export interface CardClocks {
  response: ClockState;
  resolution: ClockState;
  /** the stages not yet announced that are due by `now`, in order */
  due: SlaStage[];
  /** the next stage to announce after those, and when; null when none will come (stopped, paused) */
  next: { stage: SlaStage; at: number } | null;
}

/** Both clocks of a card, which stages are due to be announced, and the next one the scheduler waits for. */
export function cardClocks(
  doc: SlaDocument,
  facts: ClockFacts,
  fired: readonly string[],
  now: number,
): CardClocks {
  const response = clockState(doc, facts, 'response', now);
  const resolution = clockState(doc, facts, 'resolution', now);
  const instants: Record<SlaStage, number | null> = {
    'response.warning': response.warningAt,
    'response.breached': response.breachAt,
    'resolution.warning': resolution.warningAt,
    'resolution.breached': resolution.breachAt,
  };
  const due: SlaStage[] = [];
  let next: CardClocks['next'] = null;
  for (const stage of SLA_STAGES) {
    const at = instants[stage];
    if (at === null || fired.includes(stage)) continue;
    if (at <= now) due.push(stage);
    else if (!next || at < next.at) next = { stage, at };
  }
  return { response, resolution, due, next };
}

// ---- which cards have clocks ----------------------------------------------------------------------

// The rule is shared with the web (it shows a card's chip while the card has clocks).
export { REQUEST_LABEL, slaKindOf } from '../../protocol/rules/sla-kind.ts';
