/**
 * How installations and deliveries read on screen: words and tones for verification, status and
 * outcome, the inbound URL to give a tool, and short received times. Pure.
 */
import type { DeliverySummary, Installation } from '../../../../protocol/plugin.ts';

export type Tone = 'ok' | 'warn' | 'danger' | 'neutral' | 'busy';

export const VERIFICATION: Record<DeliverySummary['verification'], { label: string; tone: Tone }> = {
  passed: { label: 'Verified', tone: 'ok' },
  failed: { label: 'Verification failed', tone: 'danger' },
  not_checked: { label: 'Not checked', tone: 'neutral' },
};

/** The one word a delivery row leads with: its outcome once processed, else where it stands. */
export function deliveryResult(d: DeliverySummary): { label: string; tone: Tone; key: string } {
  if (d.status === 'rejected')
    return { label: `Rejected (${d.httpStatus})`, tone: 'danger', key: 'rejected' };
  if (d.status === 'queued') return { label: 'Queued', tone: 'busy', key: 'queued' };
  if (d.status === 'failed')
    return { label: d.retrying ? 'Failed, retrying' : 'Failed', tone: 'danger', key: 'failed' };
  const outcome = d.outcome ?? 'ignored';
  const labels: Record<typeof outcome, { label: string; tone: Tone }> = {
    created: { label: 'Created', tone: 'ok' },
    updated: { label: 'Updated', tone: 'ok' },
    reopened: { label: 'Reopened', tone: 'warn' },
    resolved: { label: 'Resolved', tone: 'ok' },
    ignored: { label: 'Ignored', tone: 'neutral' },
  };
  return { ...labels[outcome], key: outcome };
}

/**
 * The absolute URL the tool posts to. The server builds it from PUBLIC_URL when set (tools may reach
 * the server at another address than browsers do), else from the request: prefer it, and fall back
 * to this page's origin if it is not absolute.
 */
export function inboundUrl(installation: Pick<Installation, 'id' | 'inboundUrl'>, origin: string): string {
  return /^https?:\/\//.test(installation.inboundUrl)
    ? installation.inboundUrl
    : `${origin}/hooks/${installation.id}`;
}

/** `14:02:07` today, `3 Mar, 14:02` before. */
export function receivedAt(iso: string, now = new Date()): string {
  const at = new Date(iso);
  const sameDay = at.toDateString() === now.toDateString();
  return sameDay
    ? at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : at.toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}
