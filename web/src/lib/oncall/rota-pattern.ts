/** Pure helpers for the rota dialog's shift-pattern choice: reading typed shift lengths, describing
 * a pattern and a cover in one line. */
import type { Cover, Rota } from '../../../../protocol/oncall.ts';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** "12, 12" → [12, 12]; what is not a number is dropped (none left: the server refuses the field). */
export function parseShiftHours(text: string): number[] {
  return text
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map(Number)
    .filter((n) => Number.isFinite(n));
}

export function describePattern(p: Rota['pattern']): string {
  switch (p.kind) {
    case 'weekly':
      return `weekly, ${WEEKDAYS[p.handoffWeekday - 1]} ${p.handoffTime} ${p.zone}`;
    case 'custom':
      return `custom, from ${p.startTime} ${p.zone}, shifts of ${p.shiftHours.join(' + ')} h`;
    case 'follow_the_sun':
      return `follow the sun: ${p.shifts.map((s) => `${s.name} ${s.start}–${s.end} ${s.zone}`).join(', ')}`;
  }
}

export function describeCover(c: Cover, nameOf: (id: string) => string): string {
  return c.kind === 'swap'
    ? `swap: ${nameOf(c.userId)} ↔ ${c.withUserId ? nameOf(c.withUserId) : 'someone'}`
    : `override: ${nameOf(c.userId)}`;
}
