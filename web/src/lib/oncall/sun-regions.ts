/**
 * Pure helpers for the follow-the-sun regions of the rota editor: adding one (up to the protocol's
 * MAX_SUN_REGIONS), removing one (down to two, what makes it follow the sun), the rota's members
 * they imply, and which region field a server refusal belongs to.
 */
import { MAX_SUN_REGIONS, type RegionalShift } from '../../../../protocol/oncall.ts';

export const MIN_SUN_REGIONS = 2;
export { MAX_SUN_REGIONS };

/** A region field a refusal is shown next to. */
export type RegionField = 'name' | 'zone' | 'hours' | 'members';

/** The regions with a blank one added at the end (the same list when already at the most). */
export function addRegion(regions: readonly RegionalShift[]): RegionalShift[] {
  if (regions.length >= MAX_SUN_REGIONS) return [...regions];
  return [...regions, { name: '', zone: '', start: '09:00', end: '17:00', members: [] }];
}

/** The regions without the i-th (the same list when only two are left). */
export function removeRegion(regions: readonly RegionalShift[], i: number): RegionalShift[] {
  if (regions.length <= MIN_SUN_REGIONS) return [...regions];
  return regions.filter((_, j) => j !== i);
}

/** Everyone in one of the regions, each once, in region order: the rota's members. */
export const sunMembers = (regions: readonly RegionalShift[]): string[] => [
  ...new Set(regions.flatMap((r) => r.members)),
];

/**
 * Where a refusal's field goes: schema errors say `pattern.shifts.2.end`, the rules
 * `pattern.shifts[2].zone`, and an overlap names the whole region (`pattern.shifts[2]`), which is
 * about its hours. Null: not a region's field.
 */
export function regionField(field: string | undefined): { region: number; field: RegionField } | null {
  if (!field) return null;
  const m = /^pattern\.shifts\.(\d+)(?:\.(\w+))?/.exec(field.replace(/\[(\d+)\]/g, '.$1'));
  if (!m) return null;
  const region = Number(m[1]);
  switch (m[2]) {
    case 'name':
    case 'zone':
    case 'members':
      return { region, field: m[2] };
    default:
      return { region, field: 'hours' };
  }
}

/** A refusal's message next to its field: without the field's path, which the place already says. */
export function regionMessage(message: string): string {
  return message.replace(/^[\w.[\]]+: /, '').replace(/ \(pattern\.shifts\[\d+\]\)/g, '');
}
