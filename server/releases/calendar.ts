/**
 * The release schedule as an iCalendar feed (RFC 5545, written by ical-generator): each release with a
 * target date is an all-day event that calendar apps update in place (stable UID, SEQUENCE from the
 * release's revision) and show as cancelled when it is.
 */
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import type { Release } from '../../protocol/releases.ts';

const DAY_MS = 86_400_000;

/** The day after a YYYY-MM-DD day: an all-day event's end is exclusive. */
const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS);

const STATE_WORDS: Record<Release['state'], string> = {
  planned: 'planned',
  on_path: 'on the path to live',
  stopped: 'stopped',
  firebreak: 'at its firebreak',
  awaiting_go: 'awaiting go/no-go',
  live: 'live',
  cancelled: 'cancelled',
};

function description(r: Release): string {
  const parts = [`State: ${STATE_WORDS[r.state]}`];
  if (r.state === 'cancelled' && r.cancelReason) parts.push(`Cancelled: ${r.cancelReason}`);
  if (r.changeWindow) parts.push(`When users are affected: ${r.changeWindow}`);
  if (r.userActions) parts.push(`What users must do:\n${r.userActions}`);
  if (r.notes) parts.push(`What changes:\n${r.notes}`);
  return parts.join('\n\n');
}

export function releaseCalendar(input: {
  boardName: string;
  /** the origin release pages are reached at, e.g. https://blendboard.example */
  origin: string;
  releases: readonly Release[];
}): string {
  const host = new URL(input.origin).hostname;
  const calendar = ical({
    name: `${input.boardName} releases`,
    prodId: { company: 'Blendboard', product: 'releases', language: 'EN' },
    method: ICalCalendarMethod.PUBLISH,
  });
  for (const r of input.releases) {
    if (!r.targetDate) continue;
    const updated = new Date(r.updatedAt);
    calendar.createEvent({
      id: `${r.id}@${host}`,
      allDay: true,
      start: new Date(`${r.targetDate}T00:00:00Z`),
      end: nextDay(r.targetDate),
      summary: `Release ${r.version} (${STATE_WORDS[r.state]})`,
      description: description(r),
      url: `${input.origin}/boards/${r.boardId}/releases/${r.id}`,
      sequence: r.revision,
      lastModified: updated,
      stamp: updated,
      created: new Date(r.createdAt),
      status: r.state === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
  return calendar.toString();
}
