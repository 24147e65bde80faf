/**
 * The rota editor's form values: a new rota's defaults, an existing rota as form values (to edit it)
 * and the form back as the body the server takes. Pure, so the round trip is tested without a page.
 */
import type { RegionalShift, Rota, RotaInput } from '../../../../protocol/oncall.ts';
import { messageWithoutField } from '../api.ts';
import { parseShiftHours } from './rota-pattern.ts';
import { sunMembers } from './sun-regions.ts';

export type PatternKind = RotaInput['pattern']['kind'];

/**
 * Every field of the form, whichever pattern is chosen: switching the pattern back and forth keeps
 * what was typed for the other one. Shift lengths are kept as typed ("12, 12").
 */
export interface RotaForm {
  name: string;
  duty: RotaInput['duty'];
  rotation: boolean;
  kind: PatternKind;
  /** weekly and custom */
  zone: string;
  members: string[];
  /** weekly: ISO weekday 1–7 and local time of the hand-off */
  weekday: number;
  time: string;
  /** custom */
  startTime: string;
  shiftHours: string;
  /** follow the sun */
  regions: RegionalShift[];
}

/** A new rota's values, its zone the browser's. */
export function newRotaForm(zone: string): RotaForm {
  return {
    name: 'AMS on call',
    duty: 'ams',
    rotation: false,
    kind: 'weekly',
    zone,
    members: [],
    weekday: 1,
    time: '09:00',
    startTime: '08:00',
    shiftHours: '12, 12',
    // defaults that never overlap, whichever side of the two countries' clock changes
    regions: [
      { name: 'Europe', zone: 'Europe/London', start: '07:00', end: '15:00', members: [] },
      { name: 'Americas', zone: 'America/Los_Angeles', start: '08:00', end: '16:00', members: [] },
    ],
  };
}

const copyRegions = (regions: readonly RegionalShift[]): RegionalShift[] =>
  regions.map((r) => ({ ...r, members: [...r.members] }));

/**
 * An existing rota as form values. The fields its pattern does not use keep `base`'s values, so
 * switching its pattern while editing starts from the usual defaults. Copies throughout: editing
 * the form never changes the rota in the list.
 */
export function rotaToForm(
  rota: Pick<Rota, 'name' | 'duty' | 'rotation' | 'members' | 'pattern'>,
  base: RotaForm,
): RotaForm {
  const form: RotaForm = {
    ...base,
    name: rota.name,
    duty: rota.duty,
    rotation: rota.rotation,
    kind: rota.pattern.kind,
    members: [...rota.members],
    regions: copyRegions(base.regions),
  };
  const p = rota.pattern;
  switch (p.kind) {
    case 'weekly':
      return { ...form, zone: p.zone, weekday: p.handoffWeekday, time: p.handoffTime };
    case 'custom':
      return { ...form, zone: p.zone, startTime: p.startTime, shiftHours: p.shiftHours.join(', ') };
    case 'follow_the_sun':
      return { ...form, regions: copyRegions(p.shifts) };
  }
}

/**
 * Ticks or unticks a person in a list whose order is the order of turns: a new pick goes last and
 * the others keep their places, so ticking one more person never reshuffles who is on duty when.
 */
export function toggleInTurn(list: readonly string[], userId: string, on: boolean): string[] {
  if (!on) return list.filter((id) => id !== userId);
  return list.includes(userId) ? [...list] : [...list, userId];
}

/** Moves a person one turn earlier (-1) or later (+1); at either end, the order stays as it is. */
export function moveInTurn(list: readonly string[], userId: string, by: -1 | 1): string[] {
  const from = list.indexOf(userId);
  const to = from + by;
  if (from < 0 || to < 0 || to >= list.length) return [...list];
  const next = [...list];
  [next[from], next[to]] = [next[to]!, next[from]!];
  return next;
}

/** Moves a person to turn `to` (0-based, as dropped), the others keeping their order; out of range, nothing moves. */
export function placeInTurn(list: readonly string[], userId: string, to: number): string[] {
  const from = list.indexOf(userId);
  if (from < 0 || to < 0 || to >= list.length) return [...list];
  const next = list.filter((id) => id !== userId);
  next.splice(to, 0, userId);
  return next;
}

/** The people as a turn list shows them: those in the rota in their turns, then the others as offered. */
export function inTurnOrder<P extends { userId: string }>(
  people: readonly P[],
  turns: readonly string[],
): P[] {
  const byId = new Map(people.map((p) => [p.userId, p]));
  const inRota = turns.map((id) => byId.get(id)).filter((p) => p !== undefined);
  return [...inRota, ...people.filter((p) => !turns.includes(p.userId))];
}

/**
 * Who the form offers: the board's people, then anyone the rota still holds who has left the board
 * (the server refuses such a rota on save, so they must be there to untick).
 */
export function rotaPeople(
  boardPeople: readonly { userId: string; name: string }[],
  form: Pick<RotaForm, 'members' | 'regions'>,
): { userId: string; name: string }[] {
  const onBoard = new Set(boardPeople.map((p) => p.userId));
  const held = new Set([...form.members, ...form.regions.flatMap((r) => r.members)]);
  const former = [...held]
    .filter((id) => !onBoard.has(id))
    .map((userId) => ({ userId, name: 'Former member' }));
  return [...boardPeople, ...former];
}

/** The form's names for the rota fields the server may refuse (its region fields sit by each region). */
const FIELD_LABELS: Record<string, string> = {
  name: 'Name',
  members: 'Members',
  'pattern.zone': 'Time zone',
  'pattern.handoffWeekday': 'Hand-off day',
  'pattern.handoffTime': 'Hand-off time',
  'pattern.startTime': 'First shift starts',
  'pattern.shiftHours': 'Shift lengths',
};

/**
 * A refusal as the form says it: the server's message starts with the field's path
 * ("pattern.zone: unknown time zone …"); the person sees the field's label instead.
 */
export function refusalText(field: string | undefined, message: string): string {
  const label = field === undefined ? undefined : FIELD_LABELS[field.replace(/\[\d+\]$/, '')];
  return label ? `${label}: ${messageWithoutField(message, field)}` : message;
}

/** The members the rota will have: follow the sun, everyone in one of its regions. */
export const formMembers = (form: RotaForm): string[] =>
  form.kind === 'follow_the_sun' ? sunMembers(form.regions) : form.members;

/** The body to send; `startDate` is the rota's own when editing (its shifts count from it). */
export function formToInput(form: RotaForm, startDate: string): RotaInput {
  const pattern: RotaInput['pattern'] =
    form.kind === 'weekly'
      ? { kind: 'weekly', zone: form.zone, handoffWeekday: form.weekday, handoffTime: form.time }
      : form.kind === 'custom'
        ? {
            kind: 'custom',
            zone: form.zone,
            startTime: form.startTime,
            shiftHours: parseShiftHours(form.shiftHours),
          }
        : { kind: 'follow_the_sun', shifts: copyRegions(form.regions) };
  return {
    name: form.name,
    duty: form.duty,
    rotation: form.rotation,
    members: [...formMembers(form)],
    pattern,
    startDate,
  };
}

/** A new rota starts a week back: its latest hand-off has passed, so someone is on duty from now on. */
export const newRotaStart = (now: Date): string =>
  new Date(now.getTime() - 7 * 86_400_000).toISOString().slice(0, 10);
