/**
 * What the service side tells people (issues 17 and 20): on-call pages and acknowledgements, SLA
 * warnings and breaches, an incident routed to the builders during hyper-care, and hyper-care's
 * decisions. Pure: an event (with the card's key and title, looked up by the outbox) in, a notice or
 * null out. A page and its acknowledgement share one dedup key, so PagerDuty shows one alert that the
 * acknowledgement acknowledges.
 */
import type { BoardEvent, BoardEventOf } from '../../protocol/events.ts';
import type { Notice, NotificationKind } from '../../protocol/notifications.ts';
import type { NoticeContext } from './release-notice.ts';

export type ServiceEvent =
  | BoardEventOf<'oncall.paged'>
  | BoardEventOf<'oncall.acknowledged'>
  | BoardEventOf<'sla.warning'>
  | BoardEventOf<'sla.breached'>
  | BoardEventOf<'hypercare.incident'>
  | BoardEventOf<'hypercare.updated'>;

export const SERVICE_EVENT_TYPES: ReadonlySet<BoardEvent['type']> = new Set([
  'oncall.paged',
  'oncall.acknowledged',
  'sla.warning',
  'sla.breached',
  'hypercare.incident',
  'hypercare.updated',
]);

/** Hyper-care decisions worth telling people about; ticking a checklist item is not one. */
const HYPERCARE_TOLD = new Set([
  'started',
  'submitted',
  'accepted',
  'rejected',
  'extended',
  'exited',
  'exited_early',
]);

export interface CardRef {
  key: string;
  title: string;
}

export function serviceNoticeKind(event: ServiceEvent): NotificationKind | null {
  switch (event.type) {
    case 'oncall.paged':
    case 'oncall.acknowledged':
    case 'sla.warning':
    case 'sla.breached':
      return event.type;
    case 'hypercare.incident':
      // after hyper-care an incident is routed as any other: nothing to tell the builders
      return event.payload.incident.hypercare ? 'hypercare.incident' : null;
    case 'hypercare.updated':
      return HYPERCARE_TOLD.has(event.payload.change) ? 'hypercare.changed' : null;
  }
}

// Cards have no address of their own yet (issue 19): the link opens the board.
const cardLink = (ctx: NoticeContext, boardId: string) =>
  ctx.publicUrl ? `${ctx.publicUrl.replace(/\/+$/, '')}/boards/${boardId}` : null;

const releaseLink = (ctx: NoticeContext, boardId: string, releaseId: string) =>
  ctx.publicUrl ? `${ctx.publicUrl.replace(/\/+$/, '')}/boards/${boardId}/releases/${releaseId}` : null;

export function serviceNotice(event: ServiceEvent, card: CardRef | null, ctx: NoticeContext): Notice | null {
  const kind = serviceNoticeKind(event);
  if (!kind) return null;
  const common = {
    kind,
    occurredAt: event.at,
    board: { id: event.boardId, name: ctx.boardName },
    actor: event.actor.label || null,
  };
  const named = (key: string) => (card ? `${key} ${card.title}` : key);
  switch (event.type) {
    case 'oncall.paged': {
      const p = event.payload;
      return {
        ...common,
        summary: `Page: ${named(p.key)} — step ${p.step + 1}, ${p.who ? `paging ${p.who.name}` : 'nobody on duty'}`,
        severity: 'critical',
        dedupKey: `incident:${p.cardId}`,
        action: 'trigger',
        link: cardLink(ctx, event.boardId),
      };
    }
    case 'oncall.acknowledged': {
      const p = event.payload;
      return {
        ...common,
        summary: `Acknowledged: ${named(p.key)} by ${event.actor.label} after ${p.stepsPaged} page(s)`,
        severity: 'info',
        dedupKey: `incident:${p.cardId}`,
        action: 'acknowledge',
        link: cardLink(ctx, event.boardId),
      };
    }
    case 'sla.warning':
    case 'sla.breached': {
      const p = event.payload;
      const key = card?.key ?? p.clock.cardId;
      const breached = event.type === 'sla.breached';
      return {
        ...common,
        summary: `SLA ${breached ? 'breached' : 'at 75%'}: ${named(key)} — ${p.which} target (${p.clock.tier}) ${breached ? 'was due' : 'falls due'} ${p.dueAt}`,
        severity: breached ? 'error' : 'warning',
        dedupKey: `sla:${p.clock.cardId}:${p.which}`,
        action: 'trigger',
        link: card ? cardLink(ctx, event.boardId) : null,
      };
    }
    case 'hypercare.incident': {
      const i = event.payload.incident;
      return {
        ...common,
        summary: `Hyper-care: ${named(i.cardKey)} linked to release ${i.version} goes to the ${i.ownerStream} team that built it`,
        severity: 'error',
        dedupKey: `incident:${i.cardId}`,
        action: 'trigger',
        link: cardLink(ctx, event.boardId),
      };
    }
    case 'hypercare.updated': {
      const h = event.payload.hypercare;
      const words: Record<string, string> = {
        started: `started, until ${h.endsAt}`,
        submitted: 'handover submitted to the AMS team',
        accepted: 'handover accepted by the AMS team',
        rejected: 'handover rejected by the AMS team',
        extended: `extended until ${h.endsAt}`,
        exited: 'ended',
        exited_early: 'ended early',
      };
      return {
        ...common,
        summary: `Release ${h.version} hyper-care ${words[event.payload.change] ?? event.payload.change}`,
        severity:
          event.payload.change === 'rejected' || event.payload.change === 'extended' ? 'warning' : 'info',
        dedupKey: `hypercare:${h.releaseId}`,
        action: 'trigger',
        link: releaseLink(ctx, event.boardId, h.releaseId),
      };
    }
  }
}
