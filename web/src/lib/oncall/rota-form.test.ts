import { describe, expect, it } from 'vitest';
import type { RotaInput } from '../../../../protocol/oncall.ts';
import {
  formMembers,
  formToInput,
  inTurnOrder,
  moveInTurn,
  newRotaForm,
  newRotaStart,
  placeInTurn,
  refusalText,
  rotaPeople,
  rotaToForm,
  toggleInTurn,
} from './rota-form.ts';

const ADA = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const CY = '33333333-3333-4333-8333-333333333333';
const START = '2026-01-05';

/** A rota as the server lists it, from the body that made it. */
const listed = (input: RotaInput) => ({ ...input, rotation: input.rotation ?? false });
const blank = () => newRotaForm('Europe/Amsterdam');

const weekly: RotaInput = {
  name: 'AMS weekly',
  duty: 'ams',
  rotation: true,
  members: [BOB, ADA],
  pattern: { kind: 'weekly', zone: 'Europe/London', handoffWeekday: 3, handoffTime: '17:30' },
  startDate: START,
};
const custom: RotaInput = {
  name: 'Day and night',
  duty: 'development',
  rotation: false,
  members: [ADA, BOB, CY],
  pattern: { kind: 'custom', zone: 'Europe/Berlin', startTime: '07:00', shiftHours: [12, 8.5, 3.5] },
  startDate: START,
};
const followTheSun: RotaInput = {
  name: 'Round the world',
  duty: 'ams',
  rotation: false,
  members: [ADA, CY, BOB],
  pattern: {
    kind: 'follow_the_sun',
    shifts: [
      { name: 'Sydney', zone: 'Australia/Sydney', start: '09:00', end: '16:00', members: [ADA] },
      { name: 'London', zone: 'Europe/London', start: '07:00', end: '13:00', members: [CY, ADA] },
      { name: 'New York', zone: 'America/New_York', start: '09:00', end: '17:00', members: [BOB] },
    ],
  },
  startDate: START,
};

describe('editing a rota in the form', () => {
  it.each([
    ['weekly', weekly],
    ['custom', custom],
    ['follow-the-sun', followTheSun],
  ])('turns a %s rota into form values and back unchanged, its start date kept', (_, input) => {
    expect(formToInput(rotaToForm(listed(input), blank()), START)).toEqual(input);
  });

  it('fills the fields of the rota’s pattern and keeps the defaults of the others', () => {
    const form = rotaToForm(listed(weekly), blank());
    expect(form).toMatchObject({ kind: 'weekly', zone: 'Europe/London', weekday: 3, time: '17:30' });
    expect(form.shiftHours).toBe(blank().shiftHours);
    expect(form.regions).toEqual(blank().regions);
    expect(rotaToForm(listed(custom), blank())).toMatchObject({
      startTime: '07:00',
      shiftHours: '12, 8.5, 3.5',
    });
    expect(rotaToForm(listed(followTheSun), blank()).zone).toBe('Europe/Amsterdam');
  });

  it('never changes the listed rota while its form is edited', () => {
    const rota = structuredClone(listed(followTheSun));
    const form = rotaToForm(rota, blank());
    form.members.push(BOB);
    form.regions[0]!.members.push(BOB);
    form.regions[1]!.name = 'Dublin';
    expect(rota).toEqual(listed(followTheSun));
  });

  it('edits what a user changes: a new name, hand-off time and member', () => {
    const form = rotaToForm(listed(weekly), blank());
    form.name = 'AMS weekly (EU)';
    form.time = '10:15';
    form.members.push(CY);
    expect(formToInput(form, START)).toEqual({
      ...weekly,
      name: 'AMS weekly (EU)',
      members: [BOB, ADA, CY],
      pattern: { ...weekly.pattern, handoffTime: '10:15' },
    });
  });
});

describe('a new rota', () => {
  it('starts as a weekly rota in the browser’s zone with nobody on it yet', () => {
    const form = blank();
    expect(form).toMatchObject({ kind: 'weekly', zone: 'Europe/Amsterdam', members: [], duty: 'ams' });
    expect(formToInput(form, START).pattern).toEqual({
      kind: 'weekly',
      zone: 'Europe/Amsterdam',
      handoffWeekday: 1,
      handoffTime: '09:00',
    });
  });

  it('takes follow-the-sun members from its regions, each once', () => {
    const form = { ...blank(), kind: 'follow_the_sun' as const, members: [CY] };
    form.regions[0]!.members = [ADA, BOB];
    form.regions[1]!.members = [BOB];
    expect(formMembers(form)).toEqual([ADA, BOB]);
    expect(formToInput(form, START).members).toEqual([ADA, BOB]);
  });

  it('starts a week back', () => {
    expect(newRotaStart(new Date('2026-03-10T08:00:00Z'))).toBe('2026-03-03');
  });
});

describe('members taken in turn', () => {
  it('puts a new pick last and keeps the others in their places', () => {
    expect(toggleInTurn(['bob', 'ada'], 'cy', true)).toEqual(['bob', 'ada', 'cy']);
  });

  it('takes an untick out and closes the gap', () => {
    expect(toggleInTurn(['bob', 'ada', 'cy'], 'ada', false)).toEqual(['bob', 'cy']);
  });

  it('ticks a person once only, in the place they had', () => {
    expect(toggleInTurn(['bob', 'ada'], 'bob', true)).toEqual(['bob', 'ada']);
    expect(toggleInTurn(['bob'], 'cy', false)).toEqual(['bob']);
  });

  it('moves a person one turn earlier or later, trading places with their neighbour', () => {
    expect(moveInTurn(['bob', 'ada', 'cy'], 'cy', -1)).toEqual(['bob', 'cy', 'ada']);
    expect(moveInTurn(['bob', 'ada', 'cy'], 'bob', 1)).toEqual(['ada', 'bob', 'cy']);
  });

  it('places a dropped person at the turn they were dropped on, the others keeping their order', () => {
    expect(placeInTurn(['bob', 'ada', 'cy', 'dee'], 'dee', 0)).toEqual(['dee', 'bob', 'ada', 'cy']);
    expect(placeInTurn(['bob', 'ada', 'cy', 'dee'], 'bob', 2)).toEqual(['ada', 'cy', 'bob', 'dee']);
    expect(placeInTurn(['bob', 'ada'], 'ada', 1)).toEqual(['bob', 'ada']);
  });

  it('places nobody outside the list, nor anyone not in it', () => {
    expect(placeInTurn(['bob', 'ada'], 'ada', 2)).toEqual(['bob', 'ada']);
    expect(placeInTurn(['bob', 'ada'], 'ada', -1)).toEqual(['bob', 'ada']);
    expect(placeInTurn(['bob', 'ada'], 'cy', 0)).toEqual(['bob', 'ada']);
  });

  it('shows the rota in its turns first, then everyone else in the order offered', () => {
    const people = ['ada', 'bob', 'cy', 'dee'].map((userId) => ({ userId }));
    expect(inTurnOrder(people, ['cy', 'ada']).map((p) => p.userId)).toEqual(['cy', 'ada', 'bob', 'dee']);
    expect(inTurnOrder(people, []).map((p) => p.userId)).toEqual(['ada', 'bob', 'cy', 'dee']);
  });

  it('leaves the order as it is at either end, or for someone not in it', () => {
    const order = ['bob', 'ada'];
    expect(moveInTurn(order, 'bob', -1)).toEqual(['bob', 'ada']);
    expect(moveInTurn(order, 'ada', 1)).toEqual(['bob', 'ada']);
    expect(moveInTurn(order, 'cy', 1)).toEqual(['bob', 'ada']);
    expect(order).toEqual(['bob', 'ada']); // a new list, never the one given
  });
});

describe('a refusal as the form says it', () => {
  it('names the field by its label, not the server’s path', () => {
    expect(refusalText('pattern.zone', 'pattern.zone: unknown time zone Europe/Lundun')).toBe(
      'Time zone: unknown time zone Europe/Lundun',
    );
    expect(refusalText('members[1]', 'members[1]: is not a member of the board')).toBe(
      'Members: is not a member of the board',
    );
  });

  it('leaves a message with no field, or a field the form does not show, as it is', () => {
    expect(refusalText(undefined, 'the server is busy')).toBe('the server is busy');
    expect(refusalText('startDate', 'startDate: must be a date')).toBe('startDate: must be a date');
  });
});

describe('the people a rota form offers', () => {
  const board = [
    { userId: ADA, name: 'Ada' },
    { userId: BOB, name: 'Bob' },
  ];

  it('is the board’s people while the rota holds no one else', () => {
    expect(rotaPeople(board, { members: [BOB, ADA], regions: [] })).toEqual(board);
  });

  it('adds, once, whoever the rota holds who has left the board, so they can be unticked', () => {
    const regions = [{ name: 'London', zone: 'Europe/London', start: '07:00', end: '15:00', members: [CY] }];
    expect(rotaPeople(board, { members: [ADA, CY], regions })).toEqual([
      ...board,
      { userId: CY, name: 'Former member' },
    ]);
  });
});
