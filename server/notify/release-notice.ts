/**
 * Which release events notify, and what they say: `release.created`, and a `release.updated` whose
 * state differs from the state before (the event carries `previousState`). Pure: event in, notice
 * (or null for "nothing to tell") out.
 */
import type { BoardEventOf } from '../../protocol/events.ts';
import type { Notice, NotificationKind, ReleaseNotice } from '../../protocol/notifications.ts';
import type { Release } from '../../protocol/releases.ts';

const STATE_WORDS: Record<string, string> = {
  planned: 'planned',
  on_path: 'on the path to live',
  stopped: 'stopped',
  firebreak: 'at a firebreak',
  awaiting_go: 'awaiting go/no-go',
  live: 'live',
  cancelled: 'cancelled',
};
export const stateWords = (state: string): string => STATE_WORDS[state] ?? state.replaceAll('_', ' ');

export interface NoticeContext {
  boardName: string;
  /** PUBLIC_URL: links are absolute or absent (a chat message cannot follow a relative one) */
  publicUrl: string | undefined;
}

/** The notification kind an event maps to, or null when it tells nobody anything. */
export function releaseNoticeKind(
  event: BoardEventOf<'release.created'> | BoardEventOf<'release.updated'>,
): NotificationKind | null {
  if (event.type === 'release.created') return 'release.created';
  const previous = event.payload.previousState;
  // Events recorded before previousState existed cannot say whether the state changed: stay quiet.
  if (previous === undefined || previous === event.payload.release.state) return null;
  return 'release.state_changed';
}

/** What users must do for this release, if the release manager wrote it. */
export function userActionsOf(release: Release): string | null {
  return release.userActions?.trim() || null;
}

export function releaseLink(
  publicUrl: string | undefined,
  boardId: string,
  releaseId: string,
): string | null {
  if (!publicUrl) return null;
  return `${publicUrl.replace(/\/+$/, '')}/boards/${boardId}/releases/${releaseId}`;
}

export function releaseNotice(
  event: BoardEventOf<'release.created'> | BoardEventOf<'release.updated'>,
  ctx: NoticeContext,
): Notice | null {
  const kind = releaseNoticeKind(event);
  if (!kind) return null;
  const r = event.payload.release;
  const previousState = event.type === 'release.updated' ? (event.payload.previousState ?? null) : null;
  const change = event.type === 'release.updated' ? event.payload.change : 'created';
  const release: ReleaseNotice = {
    id: r.id,
    version: r.version,
    state: r.state,
    previousState,
    stream: r.stream,
    targetDate: r.targetDate,
    change,
    userActions: userActionsOf(r),
  };
  const summary =
    kind === 'release.created'
      ? `Release ${r.version} planned (${r.stream}${r.targetDate ? `, target ${r.targetDate}` : ''})`
      : `Release ${r.version} is ${stateWords(r.state)} (was ${stateWords(previousState ?? '')})`;
  return {
    kind,
    occurredAt: event.at,
    board: { id: event.boardId, name: ctx.boardName },
    actor: event.actor.label || null,
    summary,
    severity: r.state === 'stopped' ? 'error' : r.state === 'cancelled' ? 'warning' : 'info',
    dedupKey: `release:${r.id}`,
    // A stop opens an alert; leaving it (or reaching an end) closes the release's alert.
    action:
      r.state === 'stopped'
        ? 'trigger'
        : previousState === 'stopped' || r.state === 'live' || r.state === 'cancelled'
          ? 'resolve'
          : 'trigger',
    link: releaseLink(ctx.publicUrl, event.boardId, r.id),
    release,
  };
}

/** The notice of a "send test" delivery. */
export function testNotice(board: { id: string; name: string }, actor: string, at: Date): Notice {
  return {
    kind: 'notification.test',
    occurredAt: at.toISOString(),
    board,
    actor,
    summary: `Test notification from Blendboard board ${board.name}`,
    severity: 'info',
    dedupKey: `test:${board.id}`,
    action: 'trigger',
    link: null,
  };
}
