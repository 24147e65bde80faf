import { describe, expect, it } from 'vitest';
import type { Calendar, SlaDocument } from '../../../../protocol/sla.ts';
import { messageWithoutField } from '../api.ts';
import {
  describeMinutes,
  documentOf,
  errorPlaces,
  formField,
  formOf,
  minutesOf,
  officeCalendar,
  placeOf,
  resizeMatrix,
  spanOf,
  unusedCalendars,
  withHoliday,
  withoutCalendar,
} from './sla-settings.ts';

const london: Calendar = {
  kind: 'business',
  timeZone: 'Europe/London',
  hours: {
    mon: [{ from: '09:00', to: '17:00' }],
    tue: [{ from: '09:00', to: '17:00' }],
    fri: [
      { from: '09:00', to: '12:00' },
      { from: '13:00', to: '24:00' },
    ],
  },
  holidays: ['2026-12-26', '2026-12-25'],
};
const tokyo: Calendar = {
  kind: 'business',
  timeZone: 'Asia/Tokyo',
  hours: { mon: [{ from: '08:00', to: '16:00' }] },
  holidays: [],
};

/** A document like the default: critical round the clock, the rest sharing one office calendar. */
function doc(over: Partial<SlaDocument> = {}): SlaDocument {
  return {
    matrix: [
      ['critical', 'high', 'normal'],
      ['high', 'normal', 'low'],
      ['normal', 'low', 'low'],
    ],
    tiers: {
      critical: { responseMinutes: 15, resolutionMinutes: 240, calendar: { kind: '24x7' } },
      high: { responseMinutes: 60, resolutionMinutes: 480, calendar: london },
      normal: { responseMinutes: 240, resolutionMinutes: 1440, calendar: london },
      low: { responseMinutes: 480, resolutionMinutes: 4800, calendar: london },
    },
    request: { responseMinutes: 90, resolutionMinutes: 2400, calendar: tokyo },
    ...over,
  };
}

describe('targets in hours and minutes', () => {
  it('splits minutes into whole hours and the minutes left, and joins them back', () => {
    expect(spanOf(90)).toEqual({ hours: 1, minutes: 30 });
    expect(spanOf(15)).toEqual({ hours: 0, minutes: 15 });
    expect(spanOf(4800)).toEqual({ hours: 80, minutes: 0 });
    expect(spanOf(0.25)).toEqual({ hours: 0, minutes: 0.25 });
    expect(minutesOf({ hours: 2, minutes: 5 })).toBe(125);
    expect(minutesOf({ hours: 0, minutes: 0.25 })).toBe(0.25);
  });

  it('counts an emptied field as 0, so the server can refuse the target by name', () => {
    expect(minutesOf({ hours: null, minutes: null })).toBe(0);
    expect(minutesOf({ hours: 3, minutes: null })).toBe(180);
  });

  it('reads a target as a person says it', () => {
    expect(describeMinutes(15)).toBe('15 min');
    expect(describeMinutes(60)).toBe('1 h');
    expect(describeMinutes(90)).toBe('1 h 30 min');
    expect(describeMinutes(4800)).toBe('80 h');
    expect(describeMinutes(0.25)).toBe('15 s');
  });
});

describe('the form of a document', () => {
  it('lists each business calendar once and points the targets at it', () => {
    const form = formOf(doc());
    expect(form.calendars.map((c) => c.timeZone)).toEqual(['Europe/London', 'Asia/Tokyo']);
    expect(form.targets.critical.calendar).toBeNull();
    expect([form.targets.high.calendar, form.targets.normal.calendar, form.targets.low.calendar]).toEqual([
      0, 0, 0,
    ]);
    expect(form.targets.request.calendar).toBe(1);
    expect(form.targets.request.response).toEqual({ hours: 1, minutes: 30 });
  });

  it('shows every weekday, closed ones empty, a window to 24:00 as ending at 00:00, holidays in date order', () => {
    const c = formOf(doc()).calendars[0]!;
    expect(c.hours.wed).toEqual([]);
    expect(c.hours.fri).toEqual([
      { from: '09:00', to: '12:00' },
      { from: '13:00', to: '00:00' },
    ]);
    expect(c.holidays).toEqual(['2026-12-25', '2026-12-26']);
  });

  it('gives back the same document it was made from (holidays in date order)', () => {
    const original = doc();
    const back = documentOf(formOf(original));
    const sorted = { ...london, holidays: ['2026-12-25', '2026-12-26'] };
    expect(back).toEqual({
      ...original,
      tiers: {
        ...original.tiers,
        high: { ...original.tiers.high, calendar: sorted },
        normal: { ...original.tiers.normal, calendar: sorted },
        low: { ...original.tiers.low, calendar: sorted },
      },
    });
  });

  it('writes an edit of a shared calendar into every target that counts in it', () => {
    const form = formOf(doc());
    form.calendars[0]!.holidays = withHoliday(form.calendars[0]!.holidays, '2027-01-01');
    form.targets.high.response = { hours: 2, minutes: 0 };
    const out = documentOf(form);
    for (const tier of ['high', 'normal', 'low'] as const)
      expect(out.tiers[tier].calendar).toMatchObject({
        holidays: ['2026-12-25', '2026-12-26', '2027-01-01'],
      });
    expect(out.tiers.high.responseMinutes).toBe(120);
    expect(out.request.calendar).toMatchObject({ timeZone: 'Asia/Tokyo', holidays: [] });
  });

  it('leaves closed days out of the document and trims the zone', () => {
    const form = formOf(doc());
    form.calendars[1] = { ...officeCalendar(' America/New_York '), holidays: [] };
    const out = documentOf(form).request.calendar;
    expect(out).toEqual({
      kind: 'business',
      timeZone: 'America/New_York',
      hours: Object.fromEntries(
        ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ from: '09:00', to: '17:00' }]]),
      ),
      holidays: [],
    });
  });
});

describe('editing helpers', () => {
  it('adds a holiday once, in date order', () => {
    expect(withHoliday(['2026-12-25'], '2026-01-01')).toEqual(['2026-01-01', '2026-12-25']);
    expect(withHoliday(['2026-12-25'], '2026-12-25')).toEqual(['2026-12-25']);
  });

  it('grows the matrix to 4×4 by copying the neighbouring tiers, and shrinks it back', () => {
    const three = doc().matrix;
    const four = resizeMatrix(three, 4);
    expect(four).toEqual([
      ['critical', 'high', 'normal', 'normal'],
      ['high', 'normal', 'low', 'low'],
      ['normal', 'low', 'low', 'low'],
      ['normal', 'low', 'low', 'low'],
    ]);
    expect(resizeMatrix(four, 3)).toEqual(three);
  });

  it('finds a calendar no target uses, and removes it without moving the targets off theirs', () => {
    const form = formOf(doc());
    form.calendars.splice(1, 0, officeCalendar('Europe/Paris'));
    form.targets.request.calendar = 2;
    expect(unusedCalendars(form)).toEqual([1]);
    const after = withoutCalendar(form, 1);
    expect(after.calendars.map((c) => c.timeZone)).toEqual(['Europe/London', 'Asia/Tokyo']);
    expect(after.targets.request.calendar).toBe(1);
    expect(after.targets.high.calendar).toBe(0);
  });
});

describe('where the server’s refusal shows', () => {
  const form = formOf(doc());
  const places = errorPlaces(form);
  const shown = (field: string) => placeOf(formField(field, form), places);

  it('at the target’s own field', () => {
    expect(shown('tiers.high.responseMinutes')).toBe('targets.high.response');
    expect(shown('request.resolutionMinutes')).toBe('targets.request.resolution');
  });

  it('at the calendar the target counts in, in either way the server names a list item', () => {
    expect(shown('tiers.low.calendar.timeZone')).toBe('calendars.0.timeZone');
    expect(shown('request.calendar.timeZone')).toBe('calendars.1.timeZone');
    expect(shown('request.calendar.hours.mon[0]')).toBe('calendars.1.hours.mon');
    expect(shown('tiers.high.calendar.hours.fri.1.from')).toBe('calendars.0.hours.fri');
    expect(shown('tiers.high.calendar.holidays[1]')).toBe('calendars.0.holidays.1');
    expect(shown('tiers.high.calendar.hours')).toBe('calendars.0.hours');
  });

  it('at the target’s calendar choice when it counts round the clock, and at the matrix', () => {
    expect(shown('tiers.critical.calendar')).toBe('targets.critical.calendar');
    expect(shown('tiers.critical.calendar.kind')).toBe('targets.critical.calendar');
    expect(shown('matrix[2]')).toBe('matrix');
  });

  it('nowhere for a field the form does not show (the dialog then shows it at the top)', () => {
    expect(shown('body')).toBeNull();
  });

  it('without the field name the message starts with', () => {
    expect(
      messageWithoutField('tiers.high.responseMinutes: must be more than 0', 'tiers.high.responseMinutes'),
    ).toBe('must be more than 0');
    expect(messageWithoutField('something else', 'tiers.high')).toBe('something else');
  });
});
