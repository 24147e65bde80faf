/**
 * The board's releases as the web app holds them: a reducer over what the server sends (the list,
 * `release.created` / `release.updated` events, and the answers to the user's own changes), and the
 * schedule's order. A release only moves forward in `revision`, so a late HTTP answer or a list read
 * before an event never undoes a later change.
 */
import type { Hypercare } from '../../../../protocol/hypercare.ts';
import type { Release } from '../../../../protocol/releases.ts';

/** Takes in one release the server sent: kept when new or newer than the one held. */
export function upsertRelease(list: readonly Release[], release: Release): Release[] {
  const at = list.findIndex((r) => r.id === release.id);
  if (at < 0) return [...list, release];
  if (list[at]!.revision > release.revision) return list as Release[];
  const next = list.slice();
  next[at] = release;
  return next;
}

/** Takes in a whole list (on opening, after a reconnect): each release by revision, as above. */
export function mergeReleases(list: readonly Release[], incoming: readonly Release[]): Release[] {
  let next = list as Release[];
  for (const release of incoming) next = upsertRelease(next, release);
  return next;
}

/** The schedule: by target date, undated ones last; the same date by version, then creation. */
export function schedule(list: readonly Release[]): Release[] {
  return [...list].sort((a, b) => {
    if (a.targetDate !== b.targetDate) {
      if (a.targetDate === null) return 1;
      if (b.targetDate === null) return -1;
      return a.targetDate < b.targetDate ? -1 : 1;
    }
    const byVersion = a.version.localeCompare(b.version, 'en', { numeric: true });
    return byVersion !== 0 ? byVersion : a.createdAt.localeCompare(b.createdAt);
  });
}

/** Releases a card may still join: neither live nor cancelled. */
export const openReleases = (list: readonly Release[]) =>
  schedule(list).filter((r) => r.state !== 'live' && r.state !== 'cancelled');

/** cardId → the release it travels in. */
export function releaseOfCard(list: readonly Release[]): Map<string, Release> {
  const map = new Map<string, Release>();
  for (const release of list) for (const cardId of release.cardIds) map.set(cardId, release);
  return map;
}

/** The cards in the scope of a live release whose hyper-care is running (not exited). */
export function hypercareScope(
  list: readonly Release[],
  hypercare: Readonly<Record<string, Hypercare>>,
): Set<string> {
  const cards = new Set<string>();
  for (const release of list) {
    const care = hypercare[release.id];
    if (release.state !== 'live' || !care || care.state === 'exited') continue;
    for (const cardId of release.cardIds) cards.add(cardId);
  }
  return cards;
}

export const STATE_LABEL: Record<Release['state'], string> = {
  planned: 'Planned',
  on_path: 'On the path',
  stopped: 'Stopped',
  firebreak: 'Firebreak',
  awaiting_go: 'Awaiting go',
  live: 'Live',
  cancelled: 'Cancelled',
};
