import { describe, expect, it } from 'vitest';
import type { RegionalShift } from '../../../../protocol/oncall.ts';
import {
  addRegion,
  MAX_SUN_REGIONS,
  regionField,
  regionMessage,
  removeRegion,
  sunMembers,
} from './sun-regions.ts';

const region = (name: string, members: string[] = ['ada']): RegionalShift => ({
  name,
  zone: 'Europe/London',
  start: '07:00',
  end: '13:00',
  members,
});

describe('adding and removing regions', () => {
  it('adds a blank region after the others, up to the most the server takes', () => {
    const three = addRegion([region('Sydney'), region('London')]);
    expect(three.map((r) => r.name)).toEqual(['Sydney', 'London', '']);
    expect(three[2]).toMatchObject({ zone: '', members: [] });
    let many = three;
    for (let i = 0; i < 10; i++) many = addRegion(many);
    expect(many).toHaveLength(MAX_SUN_REGIONS);
  });

  it('removes the chosen region, but never below two', () => {
    const regions = [region('Sydney'), region('London'), region('New York')];
    expect(removeRegion(regions, 1).map((r) => r.name)).toEqual(['Sydney', 'New York']);
    expect(removeRegion(removeRegion(regions, 0), 0).map((r) => r.name)).toEqual(['London', 'New York']);
  });

  it('makes the rota’s members everyone in a region, each once', () => {
    expect(
      sunMembers([region('Sydney', ['ada']), region('London', ['bob', 'ada']), region('NY', ['cy'])]),
    ).toEqual(['ada', 'bob', 'cy']);
  });
});

describe('where a refusal goes', () => {
  it('puts a region’s refusal next to its field, from the rules or the schema', () => {
    expect(regionField('pattern.shifts[2].zone')).toEqual({ region: 2, field: 'zone' });
    expect(regionField('pattern.shifts.1.members')).toEqual({ region: 1, field: 'members' });
    expect(regionField('pattern.shifts[0].members[1]')).toEqual({ region: 0, field: 'members' });
    expect(regionField('pattern.shifts.3.name')).toEqual({ region: 3, field: 'name' });
    expect(regionField('pattern.shifts.2.end')).toEqual({ region: 2, field: 'hours' });
    // an overlap names the whole region: it is about its hours
    expect(regionField('pattern.shifts[2]')).toEqual({ region: 2, field: 'hours' });
    expect(regionField('pattern.zone')).toBeNull();
    expect(regionField('name')).toBeNull();
    expect(regionField(undefined)).toBeNull();
  });

  it('drops the field paths from the message', () => {
    expect(regionMessage('pattern.shifts[0].zone: unknown time zone Australia/Sidney')).toBe(
      'unknown time zone Australia/Sidney',
    );
    expect(regionMessage('pattern.shifts[2]: overlaps London (pattern.shifts[1]) on 2027-03-14')).toBe(
      'overlaps London on 2027-03-14',
    );
  });
});
