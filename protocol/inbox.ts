/**
 * The in-app inbox (issue 19): a person's own notifications, derived from committed board events,
 * and the cards they watch. Not the outgoing notifications of protocol/notifications.ts (webhooks
 * to Slack, PagerDuty …): those tell a board's stakeholders elsewhere; this tells one person here.
 */
import { type Static, Type } from 'typebox';
import { Nullable, Uuid } from './model.ts';

/**
 * Why someone is told, most pressing first: one event tells a person once, for the first reason
 * that applies to them.
 */
export const INBOX_KINDS = [
  'assigned',
  'mentioned',
  'sla_breached',
  'sla_warning',
  'hypercare_incident',
  'watching',
] as const;
export type InboxKind = (typeof INBOX_KINDS)[number];
export const InboxKindSchema = Type.Enum([...INBOX_KINDS], {
  description:
    'assigned | mentioned | sla_breached | sla_warning (on a card assigned to you or that you watch) | hypercare_incident (on a release you planned) | watching (a card you watch changed; one unread row per card gathers them)',
});

export const InboxNotificationSchema = Type.Object({
  id: Uuid,
  kind: InboxKindSchema,
  boardId: Uuid,
  boardName: Type.String(),
  cardId: Uuid,
  cardKey: Type.String({ description: 'e.g. OPS-12; open it with ?card=OPS-12 on the board' }),
  cardTitle: Type.String(),
  actor: Type.String({ description: 'who did it: a person, a plugin or the SLA clock' }),
  summary: Type.String({ description: 'what happened, e.g. "moved it to In progress"' }),
  changes: Type.Integer({ description: 'how many changes this row gathers (watching rows)' }),
  at: Type.String({ description: 'when the latest of them happened' }),
  read: Type.Boolean(),
});
export type InboxNotification = Static<typeof InboxNotificationSchema>;

export const InboxPageSchema = Type.Object({
  items: Type.Array(InboxNotificationSchema),
  unread: Type.Integer({ description: 'your unread notifications in all' }),
  next: Nullable(Type.String({ description: 'pass as `before` for the next page; null on the last' })),
});
export type InboxPage = Static<typeof InboxPageSchema>;

export const InboxQuerySchema = Type.Object(
  {
    unread: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
    before: Type.Optional(
      Type.String({ pattern: '^\\d{1,15}$', description: 'the `next` of the page before' }),
    ),
    limit: Type.Optional(
      Type.String({ pattern: '^([1-9]|[1-9]\\d|100)$', description: '1 to 100; default 30' }),
    ),
  },
  { additionalProperties: false },
);
export type InboxQuery = Static<typeof InboxQuerySchema>;

export const InboxUnreadSchema = Type.Object({ unread: Type.Integer() });
export type InboxUnread = Static<typeof InboxUnreadSchema>;

export const WatchBody = Type.Object({ watching: Type.Boolean() }, { additionalProperties: false });
export const WatchSchema = Type.Object({ watching: Type.Boolean() });
export type Watch = Static<typeof WatchSchema>;

/** Sent to a person's own sockets when their inbox changed: the bell shows `unread` at once. */
export interface InboxChangedFrame {
  unread: number;
}
