/**
 * On-call rules, pure: who is on duty when, by a rota's shift pattern (weekly hand-off, custom shift
 * lengths, or follow-the-sun regional shifts, each in its own time zone), its swaps and overrides;
 * where each person served (development or AMS duty) on a development↔AMS rotation; and which step
 * of an escalation policy is due. All calendar and time-zone work is Luxon's: a weekly hand-off at
 * 09:00 Europe/London stays at local 09:00 when the clocks change.
 */
import { DateTime, IANAZone } from 'luxon';

export type Duty = 'ams' | 'development';

export interface WeeklyPattern {
  kind: 'weekly';
  zone: string;
  /** ISO weekday of the hand-off: 1 = Monday … 7 = Sunday */
  handoffWeekday: number;
  /** local time of the hand-off, HH:mm */
  handoffTime: string;
}

export interface CustomPattern {
  kind: 'custom';
  zone: string;
  /** local time the first shift starts on the rota's start date, HH:mm */
  startTime: string;
  /** shift lengths in hours, repeated in turn; a cycle of whole days keeps to local wall-clock times */
  shiftHours: number[];
}

export interface RegionalShift {
  name: string;
  zone: string;
  /** local HH:mm; an end at or before the start ends the next day */
  start: string;
  end: string;
  /** rota members who take this region's shift, one a day in turn */
  members: string[];
}

export interface FollowTheSunPattern {
  kind: 'follow_the_sun';
  shifts: RegionalShift[];
}

export type ShiftPattern = WeeklyPattern | CustomPattern | FollowTheSunPattern;

/** A person covers an interval, whoever was on duty. */
export interface Override {
  userId: string;
  from: Date;
  to: Date;
}

/** Within the interval, each of the two takes the other's shifts. */
export interface Swap {
  userId: string;
  withUserId: string;
  from: Date;
  to: Date;
}

export interface Rota {
  /** board members in rotation order */
  members: string[];
  pattern: ShiftPattern;
  /** the local day (in the pattern's zone) the first shift starts on, YYYY-MM-DD */
  startDate: string;
  overrides: readonly Override[];
  swaps: readonly Swap[];
}

export interface Shift {
  start: Date;
  end: Date;
  userId: string;
  /** the follow-the-sun region, when there is one */
  region?: string;
  /** why this person and not the pattern's: an override or a swap */
  cover?: 'override' | 'swap';
}

export interface Refusal {
  field: string;
  message: string;
}

/** The longest range a timeline is computed for: a bounded answer for any input. */
export const MAX_TIMELINE_DAYS = 400;
const DAY_MS = 86_400_000;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export const isZone = (zone: string): boolean => IANAZone.isValidZone(zone);

function parseTime(hhmm: string): { hour: number; minute: number } {
  const m = HHMM.exec(hhmm);
  if (!m) throw new Error(`not a local time: ${hhmm}`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

function localDay(date: string, zone: string): DateTime {
  return DateTime.fromISO(date, { zone }).startOf('day');
}

/** The first refusal of a rota's shape (members, zones, times, overlaps), or null when it is sound. */
export function validateRota(rota: Pick<Rota, 'members' | 'pattern' | 'startDate'>): Refusal | null {
  if (rota.members.length === 0) return { field: 'members', message: 'a rota needs at least one member' };
  const seen = new Set<string>();
  for (const [i, m] of rota.members.entries()) {
    if (seen.has(m)) return { field: `members[${i}]`, message: 'is already in the rota' };
    seen.add(m);
  }
  const p = rota.pattern;
  const zoneOf = p.kind === 'follow_the_sun' ? p.shifts[0]?.zone : p.zone;
  if (p.kind !== 'follow_the_sun' && !isZone(p.zone))
    return { field: 'pattern.zone', message: `unknown time zone ${p.zone}` };
  if (!DateTime.fromISO(rota.startDate, { zone: zoneOf && isZone(zoneOf) ? zoneOf : 'UTC' }).isValid)
    return { field: 'startDate', message: 'not a calendar day' };
  switch (p.kind) {
    case 'weekly':
      if (!Number.isInteger(p.handoffWeekday) || p.handoffWeekday < 1 || p.handoffWeekday > 7)
        return { field: 'pattern.handoffWeekday', message: '1 (Monday) to 7 (Sunday)' };
      if (!HHMM.test(p.handoffTime)) return { field: 'pattern.handoffTime', message: 'a local time HH:mm' };
      return null;
    case 'custom':
      if (!HHMM.test(p.startTime)) return { field: 'pattern.startTime', message: 'a local time HH:mm' };
      if (p.shiftHours.length === 0) return { field: 'pattern.shiftHours', message: 'at least one shift' };
      for (const [i, h] of p.shiftHours.entries())
        if (!(h >= 1 && h <= 24 * 14))
          return { field: `pattern.shiftHours[${i}]`, message: 'a shift lasts 1 hour to 14 days' };
      return null;
    case 'follow_the_sun':
      return validateFollowTheSun(p, rota.members, rota.startDate);
  }
}

function validateFollowTheSun(p: FollowTheSunPattern, members: string[], startDate: string): Refusal | null {
  if (p.shifts.length === 0) return { field: 'pattern.shifts', message: 'at least one regional shift' };
  const inRota = new Set(members);
  for (const [i, s] of p.shifts.entries()) {
    const at = `pattern.shifts[${i}]`;
    if (!isZone(s.zone)) return { field: `${at}.zone`, message: `unknown time zone ${s.zone}` };
    if (!HHMM.test(s.start)) return { field: `${at}.start`, message: 'a local time HH:mm' };
    if (!HHMM.test(s.end)) return { field: `${at}.end`, message: 'a local time HH:mm' };
    if (s.members.length === 0) return { field: `${at}.members`, message: 'at least one member' };
    for (const [j, m] of s.members.entries())
      if (!inRota.has(m)) return { field: `${at}.members[${j}]`, message: 'is not a member of the rota' };
  }
  // Regions' clocks change on different dates (London and New York are apart by 4 or 5 hours), so
  // two shifts can overlap only in some weeks: check a whole year of days.
  const from = localDay(startDate, 'UTC').toJSDate();
  const to = new Date(from.getTime() + 366 * DAY_MS);
  const byRegion = p.shifts.map((s) => regionShifts(s, startDate, from, to));
  for (let i = 0; i < byRegion.length; i++)
    for (let j = i + 1; j < byRegion.length; j++) {
      const clash = firstOverlap(byRegion[i]!, byRegion[j]!);
      if (clash)
        return {
          field: `pattern.shifts[${j}]`,
          message: `overlaps ${p.shifts[i]!.name} (pattern.shifts[${i}]) on ${DateTime.fromJSDate(clash, { zone: p.shifts[j]!.zone }).toISODate()}`,
        };
    }
  return null;
}

function firstOverlap(a: Shift[], b: Shift[]): Date | null {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x.start < y.end && y.start < x.end) return x.start > y.start ? x.start : y.start;
    if (x.end <= y.end) i++;
    else j++;
  }
  return null;
}

/** One region's daily shifts that touch [from, to), its members taking them one a day in turn. */
function regionShifts(s: RegionalShift, startDate: string, from: Date, to: Date): Shift[] {
  const first = localDay(startDate, s.zone);
  const start = parseTime(s.start);
  const end = parseTime(s.end);
  const out: Shift[] = [];
  let day: DateTime = DateTime.fromJSDate(from, { zone: s.zone }).startOf('day').minus({ days: 1 });
  if (day < first) day = first;
  const last = DateTime.fromJSDate(to, { zone: s.zone }).startOf('day');
  for (; day <= last; day = day.plus({ days: 1 })) {
    const begin = day.set(start);
    let finish = day.set(end);
    if (finish <= begin) finish = day.plus({ days: 1 }).set(end);
    if (finish.toMillis() <= from.getTime() || begin.toMillis() >= to.getTime()) continue;
    const index = Math.round(day.diff(first, 'days').days);
    out.push({
      start: begin.toJSDate(),
      end: finish.toJSDate(),
      userId: s.members[index % s.members.length]!,
      region: s.name,
    });
  }
  return out;
}

/** The pattern's shifts touching [from, to), before swaps and overrides. */
function baseShifts(rota: Rota, from: Date, to: Date): Shift[] {
  const p = rota.pattern;
  const n = rota.members.length;
  switch (p.kind) {
    case 'weekly': {
      let anchor = localDay(rota.startDate, p.zone).set(parseTime(p.handoffTime));
      anchor = anchor.plus({ days: (p.handoffWeekday - anchor.weekday + 7) % 7 });
      const handoff = (k: number) => anchor.plus({ weeks: k });
      let k = Math.max(0, Math.floor((from.getTime() - anchor.toMillis()) / (7 * DAY_MS)) - 1);
      const out: Shift[] = [];
      for (; handoff(k).toMillis() < to.getTime(); k++) {
        const end = handoff(k + 1);
        if (end.toMillis() <= from.getTime()) continue;
        out.push({ start: handoff(k).toJSDate(), end: end.toJSDate(), userId: rota.members[k % n]! });
      }
      return out;
    }
    case 'custom': {
      const anchor = localDay(rota.startDate, p.zone).set(parseTime(p.startTime));
      const cycleHours = p.shiftHours.reduce((a, b) => a + b, 0);
      // A cycle of whole days starts each time at the same local time; otherwise cycles are exact hours.
      const cycleStart = (k: number) =>
        cycleHours % 24 === 0
          ? anchor.plus({ days: (k * cycleHours) / 24 })
          : anchor.plus({ hours: k * cycleHours });
      let k = Math.max(0, Math.floor((from.getTime() - anchor.toMillis()) / (cycleHours * 3_600_000)) - 1);
      const out: Shift[] = [];
      for (; cycleStart(k).toMillis() < to.getTime(); k++) {
        let at = cycleStart(k);
        for (const [j, hours] of p.shiftHours.entries()) {
          const end = j === p.shiftHours.length - 1 ? cycleStart(k + 1) : at.plus({ hours });
          if (end.toMillis() > from.getTime() && at.toMillis() < to.getTime())
            out.push({
              start: at.toJSDate(),
              end: end.toJSDate(),
              userId: rota.members[(k * p.shiftHours.length + j) % n]!,
            });
          at = end;
        }
      }
      return out;
    }
    case 'follow_the_sun':
      return p.shifts
        .flatMap((s) => regionShifts(s, rota.startDate, from, to))
        .sort((a, b) => a.start.getTime() - b.start.getTime());
  }
}

/** Splits the shifts at [from, to) and changes the part inside with `change`. */
function within(shifts: Shift[], from: Date, to: Date, change: (s: Shift) => Shift): Shift[] {
  const out: Shift[] = [];
  for (const s of shifts) {
    if (s.end <= from || s.start >= to) {
      out.push(s);
      continue;
    }
    if (s.start < from) out.push({ ...s, end: from });
    const start = s.start > from ? s.start : from;
    const end = s.end < to ? s.end : to;
    out.push(change({ ...s, start, end }));
    if (s.end > to) out.push({ ...s, start: to });
  }
  return out;
}

/**
 * Who is on duty over [from, to): the pattern's shifts, then swaps, then overrides (a later override
 * wins over an earlier one). Shifts are clipped to the range. At most MAX_TIMELINE_DAYS long.
 */
export function timeline(rota: Rota, from: Date, to: Date): Shift[] {
  if (to.getTime() - from.getTime() > MAX_TIMELINE_DAYS * DAY_MS)
    throw new RangeError(`a timeline covers at most ${MAX_TIMELINE_DAYS} days`);
  if (to <= from) return [];
  let shifts = baseShifts(rota, from, to);
  for (const swap of rota.swaps)
    shifts = within(shifts, swap.from, swap.to, (s) =>
      s.userId === swap.userId
        ? { ...s, userId: swap.withUserId, cover: 'swap' }
        : s.userId === swap.withUserId
          ? { ...s, userId: swap.userId, cover: 'swap' }
          : s,
    );
  for (const o of rota.overrides) {
    const covering: Shift = { start: o.from, end: o.to, userId: o.userId, cover: 'override' };
    // An override also covers a gap in the pattern (e.g. between follow-the-sun shifts).
    const inside = within(shifts, o.from, o.to, (s) => ({ ...s, userId: o.userId, cover: 'override' }));
    shifts = fillGaps(inside, covering);
  }
  return shifts
    .map((s) => ({ ...s, start: s.start < from ? from : s.start, end: s.end > to ? to : s.end }))
    .filter((s) => s.start < s.end)
    .sort((a, b) => a.start.getTime() - b.start.getTime());
}

function fillGaps(shifts: Shift[], cover: Shift): Shift[] {
  const sorted = [...shifts].sort((a, b) => a.start.getTime() - b.start.getTime());
  const out = [...sorted];
  let at = cover.start;
  for (const s of sorted) {
    if (s.end <= at || s.start >= cover.end) continue;
    if (s.start > at) out.push({ ...cover, start: at, end: s.start });
    if (s.end > at) at = s.end;
  }
  if (at < cover.end) out.push({ ...cover, start: at });
  return out;
}

/** The shift on at `at`, or null in a gap (or before the rota starts). */
export function onDuty(rota: Rota, at: Date): Shift | null {
  const shifts = timeline(rota, new Date(at.getTime() - 1), new Date(at.getTime() + 1));
  const s = shifts.find((x) => x.start <= at && at < x.end);
  if (!s) return null;
  // The whole shift, not the 2 ms asked for: look a little either side for its bounds.
  const wide = timeline(rota, new Date(at.getTime() - 15 * DAY_MS), new Date(at.getTime() + 15 * DAY_MS));
  return wide.find((x) => x.start <= at && at < x.end && x.userId === s.userId) ?? s;
}

/**
 * The following person: the first one on duty after `at` who is not the one on duty now (looking
 * up to eight weeks ahead), or null for a rota of one.
 */
export function next(rota: Rota, at: Date): Shift | null {
  const now = onDuty(rota, at);
  const ahead = timeline(rota, at, new Date(at.getTime() + 56 * DAY_MS));
  return ahead.find((s) => s.start > at && s.userId !== now?.userId) ?? null;
}

export interface ServicePeriod {
  duty: Duty;
  from: Date;
  to: Date;
}

/**
 * Where one person served over [from, to) on a rota: its shifts taken by them serve the rota's
 * duty; on a development↔AMS rotation, a member's time off the AMS shift is development work.
 */
const maxDate = (a: Date, b: Date): Date => (a > b ? a : b);

export function serviceHistory(
  rota: Rota & { duty: Duty; rotation: boolean },
  userId: string,
  from: Date,
  to: Date,
): ServicePeriod[] {
  const out: ServicePeriod[] = [];
  const add = (duty: Duty, start: Date, end: Date) => {
    const last = out.at(-1);
    if (last && last.duty === duty && last.to.getTime() === start.getTime()) last.to = end;
    else out.push({ duty, from: start, to: end });
  };
  const shifts = timeline(rota, from, to);
  const member = rota.members.includes(userId);
  // Development time counts from when the rotation began: a rota started inside the window has no
  // past before its first shift (its start date is local to the pattern, so compare by its shift).
  let at =
    rota.startDate > from.toISOString().slice(0, 10) && shifts[0] ? maxDate(from, shifts[0].start) : from;
  for (const s of shifts) {
    if (s.userId !== userId) continue;
    if (rota.rotation && member && s.start > at) add('development', at, s.start);
    add(rota.rotation ? 'ams' : rota.duty, s.start, s.end);
    at = s.end;
  }
  if (rota.rotation && member && at < to && out.length > 0) add('development', at, to);
  return out;
}

// ---- Escalation

export type EscalationTarget =
  | { kind: 'on_duty'; rotaId: string }
  | { kind: 'next_on_duty'; rotaId: string }
  | { kind: 'user'; userId: string };

export interface EscalationStepRule {
  target: EscalationTarget;
  /** minutes after the incident was raised, if nobody acknowledged it (fractions allowed) */
  afterMinutes: number;
}

export interface EscalationPolicy {
  steps: readonly EscalationStepRule[];
}

export function validatePolicy(policy: EscalationPolicy): Refusal | null {
  if (policy.steps.length === 0) return { field: 'steps', message: 'at least one step' };
  let previous = -1;
  for (const [i, s] of policy.steps.entries()) {
    if (!(s.afterMinutes >= 0)) return { field: `steps[${i}].afterMinutes`, message: 'zero or more minutes' };
    if (s.afterMinutes <= previous && i > 0)
      return { field: `steps[${i}].afterMinutes`, message: 'each step comes later than the one before' };
    previous = s.afterMinutes;
  }
  return null;
}

export interface EscalationDue {
  /** index of the last step due by now (-1: none yet, or acknowledged) */
  dueThrough: number;
  /** when the following step is due, or null when no step is left (or it was acknowledged) */
  nextAt: Date | null;
}

/** Which steps of the policy are due at `now` for an incident raised at `triggeredAt`. */
export function escalationStep(
  policy: EscalationPolicy,
  triggeredAt: Date,
  now: Date,
  acked: boolean,
): EscalationDue {
  if (acked) return { dueThrough: -1, nextAt: null };
  const at = (i: number) =>
    new Date(triggeredAt.getTime() + Math.round(policy.steps[i]!.afterMinutes * 60_000));
  let dueThrough = -1;
  while (dueThrough + 1 < policy.steps.length && at(dueThrough + 1) <= now) dueThrough++;
  return { dueThrough, nextAt: dueThrough + 1 < policy.steps.length ? at(dueThrough + 1) : null };
}
