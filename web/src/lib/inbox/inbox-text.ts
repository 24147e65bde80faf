/** How the inbox reads: the bell's accessible name and each kind of notification in a word or two. */
import type { InboxKind } from '../../../../protocol/inbox.ts';

export function bellLabel(unread: number): string {
  return unread === 0 ? 'Inbox, no unread' : `Inbox, ${unread} unread`;
}

/** The badge: a phone-sized number. */
export const badgeText = (unread: number) => (unread > 99 ? '99+' : String(unread));

export const KIND_LABEL: Record<InboxKind, string> = {
  assigned: 'Assigned',
  mentioned: 'Mentioned',
  sla_breached: 'SLA breached',
  sla_warning: 'SLA warning',
  hypercare_incident: 'Hyper-care',
  watching: 'Watching',
};
