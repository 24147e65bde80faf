/**
 * The Service levels dialog's pure part (issue 20): the board's SLA document turned into the form a
 * person edits and back. Targets in hours and minutes instead of raw minutes; the business calendars
 * that targets share listed once each (the default document gives four targets one office calendar,
 * and editing its holidays four times would drift); a window ending at midnight shown as 00:00 (a
 * time field cannot hold the document's 24:00); and a refusal's field, which names a place in the
 * document (`tiers.high.calendar.holidays[0]`), mapped to the place in the form that shows it.
 * The rules themselves stay on the server (server/domain/sla.ts): it refuses, this only points.
 */
import type { BusinessCalendar, Calendar, SlaDocument, SlaTier, Weekday } from '../../../../protocol/sla.ts';
import { SLA_TIERS, WEEKDAYS } from '../../../../protocol/sla.ts';

/** An open window of a day, HH:MM to HH:MM local time. */
export interface HoursWindow {
  from: string;
  to: string;
}

export type TargetKey = SlaTier | 'request';
export const TARGET_KEYS: readonly TargetKey[] = [...SLA_TIERS, 'request'];
export const TARGET_NAMES: Record<TargetKey, string> = {
  critical: 'Critical',
  high: 'High',
  normal: 'Normal',
  low: 'Low',
  request: 'Service requests',
};
export const WEEKDAY_NAMES: Record<Weekday, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

/** A target as a person types it: whole hours and minutes (minutes may be a fraction: 0.25 = 15 s). */
export interface Span {
  hours: number | null;
  minutes: number | null;
}

export interface TargetForm {
  response: Span;
  resolution: Span;
  /** null: round the clock (24/7); else the index of the business calendar it counts in */
  calendar: number | null;
}

export interface CalendarForm {
  timeZone: string;
  /** open windows per weekday, `to` as the time field shows it (00:00 for the end of the day); [] closed */
  hours: Record<Weekday, HoursWindow[]>;
  holidays: string[];
}

export interface SlaForm {
  matrix: SlaTier[][];
  targets: Record<TargetKey, TargetForm>;
  calendars: CalendarForm[];
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export function spanOf(minutes: number): Span {
  const hours = Math.floor(minutes / 60);
  return { hours, minutes: round(minutes - hours * 60) };
}

/** An empty field counts as 0: the server then says the target must be more than 0. */
export function minutesOf(span: Span): number {
  return round((span.hours ?? 0) * 60 + (span.minutes ?? 0));
}

/** A span for reading: "4 h", "1 h 30 min", "15 min", "15 s". */
export function describeMinutes(minutes: number): string {
  if (minutes < 1) return `${Math.round(minutes * 60)} s`;
  const { hours, minutes: m } = spanOf(minutes);
  const rest = Math.round(m ?? 0);
  if (!hours) return `${rest} min`;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

const toForm = (w: HoursWindow): HoursWindow => ({ from: w.from, to: w.to === '24:00' ? '00:00' : w.to });
/** 00:00 as the end of a window is midnight at the end of the day, the document's 24:00. */
const toDocument = (w: HoursWindow): HoursWindow => ({ from: w.from, to: w.to === '00:00' ? '24:00' : w.to });

function calendarForm(c: BusinessCalendar): CalendarForm {
  return {
    timeZone: c.timeZone,
    hours: Object.fromEntries(WEEKDAYS.map((d) => [d, (c.hours[d] ?? []).map(toForm)])) as Record<
      Weekday,
      HoursWindow[]
    >,
    holidays: [...c.holidays].sort(),
  };
}

/** A calendar as the document holds it: closed days left out. */
export function calendarOf(c: CalendarForm): BusinessCalendar {
  const hours: BusinessCalendar['hours'] = {};
  for (const d of WEEKDAYS) if (c.hours[d].length > 0) hours[d] = c.hours[d].map(toDocument);
  return { kind: 'business', timeZone: c.timeZone.trim(), hours, holidays: [...c.holidays] };
}

const targetOf = (doc: SlaDocument, key: TargetKey) => (key === 'request' ? doc.request : doc.tiers[key]);

/** The form of a document: each distinct business calendar once, in the order targets first use it. */
export function formOf(doc: SlaDocument): SlaForm {
  const calendars: CalendarForm[] = [];
  const seen: string[] = [];
  const refOf = (c: Calendar): number | null => {
    if (c.kind === '24x7') return null;
    const form = calendarForm(c);
    const same = JSON.stringify(form);
    const at = seen.indexOf(same);
    if (at >= 0) return at;
    seen.push(same);
    calendars.push(form);
    return calendars.length - 1;
  };
  const targets = Object.fromEntries(
    TARGET_KEYS.map((key) => {
      const t = targetOf(doc, key);
      return [
        key,
        {
          response: spanOf(t.responseMinutes),
          resolution: spanOf(t.resolutionMinutes),
          calendar: refOf(t.calendar),
        },
      ];
    }),
  ) as Record<TargetKey, TargetForm>;
  return { matrix: doc.matrix.map((row) => [...row]), targets, calendars };
}

/** The document a form says. */
export function documentOf(form: SlaForm): SlaDocument {
  const target = (key: TargetKey) => {
    const t = form.targets[key];
    const c = t.calendar === null ? undefined : form.calendars[t.calendar];
    return {
      responseMinutes: minutesOf(t.response),
      resolutionMinutes: minutesOf(t.resolution),
      calendar: c ? calendarOf(c) : ({ kind: '24x7' } as const),
    };
  };
  return {
    matrix: form.matrix.map((row) => [...row]),
    tiers: {
      critical: target('critical'),
      high: target('high'),
      normal: target('normal'),
      low: target('low'),
    },
    request: target('request'),
  };
}

/** Office hours, Monday to Friday 09:00–17:00, in the given zone: what a new business calendar starts as. */
export function officeCalendar(timeZone: string): CalendarForm {
  return {
    timeZone,
    hours: Object.fromEntries(
      WEEKDAYS.map((d) => [d, d === 'sat' || d === 'sun' ? [] : [{ from: '09:00', to: '17:00' }]]),
    ) as Record<Weekday, HoursWindow[]>,
    holidays: [],
  };
}

/** The holidays with one more, in date order, each once. */
export function withHoliday(holidays: readonly string[], day: string): string[] {
  return [...new Set([...holidays, day])].sort();
}

/**
 * The matrix grown or shrunk to n×n (3 or 4): kept cells stay, a new row or column copies its
 * neighbour's tiers, so the grid is never left with gaps.
 */
export function resizeMatrix(matrix: readonly SlaTier[][], n: number): SlaTier[][] {
  return Array.from({ length: n }, (_, i) => {
    const row = matrix[Math.min(i, matrix.length - 1)] ?? [];
    return Array.from({ length: n }, (_, j) => row[Math.min(j, row.length - 1)] ?? 'low');
  });
}

/** The calendars no target counts in (they would be dropped on save). */
export function unusedCalendars(form: SlaForm): number[] {
  const used = new Set(TARGET_KEYS.map((k) => form.targets[k].calendar));
  return form.calendars.map((_, i) => i).filter((i) => !used.has(i));
}

/** Removes a calendar no target uses; the targets' references to later calendars shift down. */
export function withoutCalendar(form: SlaForm, index: number): SlaForm {
  const targets = Object.fromEntries(
    TARGET_KEYS.map((k) => {
      const t = form.targets[k];
      const c = t.calendar;
      return [k, { ...t, calendar: c === null || c === index ? null : c > index ? c - 1 : c }];
    }),
  ) as Record<TargetKey, TargetForm>;
  return { ...form, targets, calendars: form.calendars.filter((_, i) => i !== index) };
}

// ---- where a refusal shows -----------------------------------------------------------------------

/** `a.b[2].c` and `a.b.2.c` (the two ways the server names a place in a list) as `a.b.2.c`. */
const normal = (field: string) => field.replace(/\[(\d+)\]/g, '.$1');

/**
 * The form's name for a document field: `tiers.high.responseMinutes` → `targets.high.response`,
 * `request.calendar.holidays[0]` → `calendars.<its calendar>.holidays.0`, `matrix[1]` → `matrix.1`.
 */
export function formField(field: string, form: SlaForm): string {
  const f = normal(field);
  const m = /^(?:tiers\.(critical|high|normal|low)|(request))(?:\.(.*))?$/.exec(f);
  if (!m) return f;
  const key = (m[1] ?? m[2]) as TargetKey;
  const rest = m[3] ?? '';
  if (rest === 'responseMinutes') return `targets.${key}.response`;
  if (rest === 'resolutionMinutes') return `targets.${key}.resolution`;
  const calendar = form.targets[key]?.calendar;
  if (rest.startsWith('calendar.') && calendar !== null && calendar !== undefined)
    return `calendars.${calendar}.${rest.slice('calendar.'.length)}`;
  if (rest.startsWith('calendar')) return `targets.${key}.calendar`;
  return `targets.${key}`;
}

/**
 * Of the places the form shows errors at, the one nearest a field: itself, else the closest that
 * contains it (`calendars.0.hours.fri.1.from` shows at `calendars.0.hours.fri`); null when none does.
 */
export function placeOf(field: string, places: readonly string[]): string | null {
  let best: string | null = null;
  for (const p of places)
    if ((field === p || field.startsWith(`${p}.`)) && (best === null || p.length > best.length)) best = p;
  return best;
}

/** The places the form can show an error at, for this form. */
export function errorPlaces(form: SlaForm): string[] {
  const places = ['matrix'];
  for (const k of TARGET_KEYS)
    places.push(`targets.${k}.response`, `targets.${k}.resolution`, `targets.${k}.calendar`);
  form.calendars.forEach((c, i) => {
    places.push(`calendars.${i}.timeZone`, `calendars.${i}.hours`, `calendars.${i}.holidays`);
    for (const d of WEEKDAYS) places.push(`calendars.${i}.hours.${d}`);
    c.holidays.forEach((_, j) => {
      places.push(`calendars.${i}.holidays.${j}`);
    });
  });
  return places;
}
