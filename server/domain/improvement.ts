/**
 * Review and improve (issue 17), pure: continual improvement of the release procedure, after ITIL's
 * CSI register. A board reviews its release procedure on a cadence (every N weeks); how often it
 * does is itself a metric (reviews held per quarter, days since the last one, overdue). A review
 * raises improvement items: each has a baseline, a measurable target, an owner, a due quarter and a
 * status that moves proposed → planned → in progress → done, or is dropped; closing needs a result.
 * No I/O: the service locks the row, asks these rules and writes what they decide. A refusal names
 * the field.
 */
import { DateTime } from 'luxon';
import type { ImprovementStatus } from '../../protocol/improvement.ts';

export type { ImprovementStatus };
export const CLOSED_STATUSES: readonly ImprovementStatus[] = ['done', 'dropped'];
export const isClosed = (s: ImprovementStatus) => CLOSED_STATUSES.includes(s);

/** Where an item may go from each status. Closed items stay closed: a new item carries work on. */
export const NEXT_STATUSES: Record<ImprovementStatus, readonly ImprovementStatus[]> = {
  proposed: ['planned', 'dropped'],
  planned: ['in_progress', 'proposed', 'dropped'],
  in_progress: ['done', 'planned', 'dropped'],
  done: [],
  dropped: [],
};

export interface Refusal {
  field: string;
  message: string;
  /** the item's state does not allow it now (409); otherwise the input is wrong (400) */
  conflict: boolean;
}

// ---- quarters ----------------------------------------------------------------------------------

export const QUARTER_PATTERN = '^(20[0-9]{2})-Q([1-4])$';
const QUARTER = new RegExp(QUARTER_PATTERN);

export interface Quarter {
  year: number;
  quarter: 1 | 2 | 3 | 4;
}

/** "2027-Q1" → its year and quarter; null for anything else (2000-Q1 to 2099-Q4). */
export function parseQuarter(text: string): Quarter | null {
  const m = QUARTER.exec(text);
  if (!m) return null;
  return { year: Number(m[1]), quarter: Number(m[2]) as Quarter['quarter'] };
}

export const formatQuarter = (q: Quarter) => `${q.year}-Q${q.quarter}`;

/** The quarter a day (YYYY-MM-DD or an instant, read in UTC) falls in. */
export function quarterOf(day: string | Date): string {
  const d =
    typeof day === 'string' ? DateTime.fromISO(day, { zone: 'utc' }) : DateTime.fromJSDate(day).toUTC();
  return formatQuarter({ year: d.year, quarter: d.quarter as Quarter['quarter'] });
}

/** The last day of a quarter, YYYY-MM-DD. */
export function quarterEnd(q: Quarter): string {
  return DateTime.utc(q.year, q.quarter * 3, 1)
    .endOf('month')
    .toISODate()!;
}

/** The `count` quarters up to and including the one `today` falls in, oldest first. */
export function lastQuarters(today: string, count: number): string[] {
  const start = DateTime.fromISO(today, { zone: 'utc' }).startOf('quarter');
  return Array.from({ length: count }, (_, i) =>
    quarterOf(start.minus({ months: 3 * (count - 1 - i) }).toISODate()!),
  );
}

// ---- the review schedule -----------------------------------------------------------------------

export const DEFAULT_CADENCE_WEEKS = 4;
export const MAX_CADENCE_WEEKS = 52;

export interface ReviewFacts {
  /** the day the review is planned for */
  scheduledOn: string;
  /** when it was held; null while it is only scheduled */
  heldAt: Date | null;
}

export interface ScheduleFacts {
  cadenceWeeks: number;
  /** the day the board's cadence was set (the clock starts there before any review is held); null: never set */
  since: string | null;
  reviews: readonly ReviewFacts[];
  /** today, YYYY-MM-DD (UTC) */
  today: string;
}

export interface ReviewSchedule {
  cadenceWeeks: number;
  /** when the last review was held */
  lastHeldAt: string | null;
  daysSinceLastReview: number | null;
  /** the earliest review scheduled and not yet held */
  nextScheduledOn: string | null;
  /** when the cadence wants the next review: the last held (else the cadence's start) plus the cadence */
  cadenceDueOn: string | null;
  /** the next review is due: the earlier of the two above */
  nextDueOn: string | null;
  overdue: boolean;
  daysOverdue: number;
}

const days = (from: string, to: string) =>
  Math.round(
    DateTime.fromISO(to, { zone: 'utc' }).diff(DateTime.fromISO(from, { zone: 'utc' }), 'days').days,
  );
const dayOf = (d: Date) => DateTime.fromJSDate(d).toUTC().toISODate()!;
const plusWeeks = (day: string, weeks: number) =>
  DateTime.fromISO(day, { zone: 'utc' }).plus({ weeks }).toISODate()!;

/**
 * When the next review is due, and whether it is overdue. The cadence is the policy: a review is due
 * `cadenceWeeks` after the last one held (before the first, after the day the cadence was set); a
 * review scheduled earlier than that brings the date forward. Overdue once that day has passed.
 */
export function reviewSchedule(f: ScheduleFacts): ReviewSchedule {
  const held = f.reviews
    .filter((r): r is ReviewFacts & { heldAt: Date } => r.heldAt !== null)
    .map((r) => r.heldAt)
    .sort((a, b) => b.getTime() - a.getTime());
  const last = held[0] ?? null;
  const pending = f.reviews
    .filter((r) => r.heldAt === null)
    .map((r) => r.scheduledOn)
    .sort();
  const nextScheduledOn = pending[0] ?? null;
  const from = last ? dayOf(last) : f.since;
  const cadenceDueOn = from ? plusWeeks(from, f.cadenceWeeks) : null;
  const candidates = [nextScheduledOn, cadenceDueOn].filter((d): d is string => d !== null).sort();
  const nextDueOn = candidates[0] ?? null;
  const late = nextDueOn ? days(nextDueOn, f.today) : 0;
  return {
    cadenceWeeks: f.cadenceWeeks,
    lastHeldAt: last ? last.toISOString() : null,
    daysSinceLastReview: last ? days(dayOf(last), f.today) : null,
    nextScheduledOn,
    cadenceDueOn,
    nextDueOn,
    overdue: late > 0,
    daysOverdue: Math.max(0, late),
  };
}

/** Reviews held in each of the last `count` quarters (the current one last): the cadence kept, as a trend. */
export function reviewsPerQuarter(
  heldAt: readonly Date[],
  today: string,
  count = 4,
): { quarter: string; held: number }[] {
  const quarters = lastQuarters(today, count);
  const held = new Map(quarters.map((q) => [q, 0]));
  for (const at of heldAt) {
    const q = quarterOf(at);
    if (held.has(q)) held.set(q, held.get(q)! + 1);
  }
  return quarters.map((quarter) => ({ quarter, held: held.get(quarter)! }));
}

/** Recording a review as held: not in the future (a minute's clock skew allowed). */
export function checkHeldAt(heldAt: Date, now: Date): Refusal | null {
  if (heldAt.getTime() > now.getTime() + 60_000)
    return {
      field: 'heldAt',
      message: 'a review is recorded once it has been held, not ahead of time',
      conflict: false,
    };
  return null;
}

/** A review scheduled and not held may be taken off the schedule; a held one is the record. */
export function mayDeleteReview(review: { heldAt: Date | null }): Refusal | null {
  return review.heldAt
    ? { field: 'reviewId', message: 'the review was held: its record stays', conflict: true }
    : null;
}

// ---- improvement items -------------------------------------------------------------------------

export interface Measure {
  text: string;
  value: number | null;
}

export interface ItemFacts {
  status: ImprovementStatus;
  revision: number;
  ownerId: string | null;
  dueQuarter: string | null;
  target: Measure;
  baseline: Measure;
  result: string;
}

export function checkQuarter(field: string, value: string | null | undefined): Refusal | null {
  if (value === null || value === undefined) return null;
  return parseQuarter(value)
    ? null
    : { field, message: 'a quarter such as 2027-Q1 (2000-Q1 to 2099-Q4)', conflict: false };
}

/** An edit made on an older revision is refused, naming `revision`. */
export function checkRevision(current: number, expected: number): Refusal | null {
  return current === expected
    ? null
    : {
        field: 'revision',
        message: `it changed since revision ${expected} (it is at ${current}); reload it`,
        conflict: true,
      };
}

/** What a planned item needs: someone to own it, a quarter to be done in and a target to measure. */
export function readyToPlan(item: ItemFacts): Refusal | null {
  if (!item.ownerId) return { field: 'ownerId', message: 'a planned item needs an owner', conflict: false };
  if (!item.dueQuarter)
    return { field: 'dueQuarter', message: 'a planned item needs a due quarter', conflict: false };
  if (item.target.text.trim() === '' && item.target.value === null)
    return { field: 'target', message: 'a planned item needs a measurable target', conflict: false };
  return null;
}

export interface Transition {
  to: ImprovementStatus;
  result?: string | undefined;
  resultValue?: number | null | undefined;
}

export type TransitionOutcome =
  | { ok: true; status: ImprovementStatus; result: string; resultValue: number | null; closed: boolean }
  | { ok: false; refusal: Refusal };

/**
 * Moves an item along its status machine. Planning (and anything past it) needs an owner, a due
 * quarter and a target; closing (done or dropped) needs a result: what came of it, or why it was
 * dropped. The same status again is refused: nothing would change.
 */
export function transition(item: ItemFacts, t: Transition, expectedRevision: number): TransitionOutcome {
  const stale = checkRevision(item.revision, expectedRevision);
  if (stale) return { ok: false, refusal: stale };
  if (!NEXT_STATUSES[item.status].includes(t.to))
    return {
      ok: false,
      refusal: {
        field: 'status',
        message: isClosed(item.status)
          ? `the item is ${item.status}: closed items stay closed; raise a new one`
          : `from ${item.status} an item goes to ${NEXT_STATUSES[item.status].join(', ')}`,
        conflict: true,
      },
    };
  if (t.to === 'planned' || t.to === 'in_progress' || t.to === 'done') {
    const missing = readyToPlan(item);
    if (missing) return { ok: false, refusal: missing };
  }
  const closing = isClosed(t.to);
  const result = (t.result ?? '').trim();
  if (closing && result === '')
    return {
      ok: false,
      refusal: {
        field: 'result',
        message: t.to === 'done' ? 'closing an item needs its result' : 'dropping an item needs the reason',
        conflict: false,
      },
    };
  return {
    ok: true,
    status: t.to,
    result: closing ? result : '',
    resultValue: closing ? (t.resultValue ?? null) : null,
    closed: closing,
  };
}

/**
 * Whether a number result met the target, reading the direction from baseline to target (fewer
 * incidents: lower is better; more automated checks: higher is better). Null without the numbers.
 */
export function targetMet(
  baseline: number | null,
  target: number | null,
  result: number | null,
): boolean | null {
  if (target === null || result === null) return null;
  if (baseline === null || baseline === target) return result === target;
  return target < baseline ? result <= target : result >= target;
}

/** Who may change an item: managers any; others only the items they own, and not who owns them. */
export function mayEditItem(who: {
  manages: boolean;
  mayWorkOwn: boolean;
  isOwner: boolean;
  changesOwner: boolean;
  deletes?: boolean;
}): Refusal | null {
  if (who.manages) return null;
  if (!who.mayWorkOwn || !who.isOwner)
    return {
      field: 'itemId',
      message: 'only the item’s owner or a manager of improvements may change it',
      conflict: false,
    };
  if (who.changesOwner)
    return {
      field: 'ownerId',
      message: 'only a manager of improvements hands an item to someone else',
      conflict: false,
    };
  if (who.deletes)
    return { field: 'itemId', message: 'only a manager of improvements deletes an item', conflict: false };
  return null;
}

/** An item is late when it is still open after its due quarter ended. */
export function isLate(
  item: { status: ImprovementStatus; dueQuarter: string | null },
  today: string,
): boolean {
  if (isClosed(item.status) || !item.dueQuarter) return false;
  const q = parseQuarter(item.dueQuarter);
  return q !== null && quarterEnd(q) < today;
}
