/**
 * Who hears of a board event in their inbox, and who starts watching its card: a pure rule over the
 * event and a few facts read before it (server/inbox/follower.ts reads them for a batch of events).
 *
 * - assigned: the new assignee of a card (created assigned, or the assignee changed);
 * - mentioned: people mentioned in a new comment, or newly mentioned in a description (an edit tells
 *   only the mentions it added: protocol/rules/mentions.ts);
 * - sla_warning / sla_breached: the card's assignee and its watchers;
 * - hypercare_incident: whoever planned the release the incident was raised in, while it is in hyper-care;
 * - watching: a card you watch was moved, edited, commented on or linked.
 *
 * Never the actor of the event (nobody is told of their own action), and only people who may read
 * the board (members, administrators). One event tells a person once, for their most pressing reason.
 * Auto-watch: creating a card, being assigned it, or commenting on it watches it.
 */
import type { BoardEvent, FieldChange } from '../../protocol/events.ts';
import { INBOX_KINDS, type InboxKind } from '../../protocol/inbox.ts';
import { mentionedUserIds, mentionsIn, newlyMentioned } from '../../protocol/rules/mentions.ts';

export interface InboxFacts {
  /** who watches the card now (before this event) */
  watchersOf(cardId: string): ReadonlySet<string>;
  /** whether the person may read the board (a member, or an administrator) */
  mayRead(userId: string): boolean;
  /** the card's assignee now */
  assigneeOf(cardId: string): string | null;
  /** who planned the release */
  releaseOwnerOf(releaseId: string): string | null;
  columnName(columnId: string): string | null;
}

export interface InboxNotice {
  userId: string;
  cardId: string;
  kind: InboxKind;
  summary: string;
}

export interface InboxOutcome {
  notices: InboxNotice[];
  /** people who start watching a card with this event */
  watch: { cardId: string; userId: string }[];
}

const NOTHING: InboxOutcome = { notices: [], watch: [] };
const EXCERPT = 140;

/** The people an event names directly (assignees, mentions, release owners aside), for a batch's membership check. */
export function namedIn(event: BoardEvent): string[] {
  switch (event.type) {
    case 'card.created':
      return [
        ...(event.payload.card.assigneeId ? [event.payload.card.assigneeId] : []),
        ...mentionedUserIds(event.payload.card.description),
      ];
    case 'card.updated':
    case 'card.moved':
      return (event.payload.changes ?? []).flatMap((c) =>
        c.field === 'assigneeId' && typeof c.to === 'string'
          ? [c.to]
          : c.field === 'description' && typeof c.to === 'string'
            ? mentionedUserIds(c.to)
            : [],
      );
    case 'card.commented':
      return mentionedUserIds(event.payload.comment.body);
    default:
      return [];
  }
}

/** The cards an event is about (a bulk move is about each of its cards). */
export function cardsOf(event: BoardEvent): string[] {
  if (event.type === 'cards.moved') return event.payload.cards.map((c) => c.id);
  return event.cardId ? [event.cardId] : [];
}

export function inboxOutcome(event: BoardEvent, facts: InboxFacts): InboxOutcome {
  const actorId = event.actor.id;
  const out = new Outcome(actorId, facts);
  switch (event.type) {
    case 'card.created': {
      const { card } = event.payload;
      out.watch(card.id, actorId);
      if (card.assigneeId) {
        out.tell(card.assigneeId, card.id, 'assigned', 'assigned you a new card');
        out.watch(card.id, card.assigneeId);
      }
      for (const id of mentionedUserIds(card.description))
        out.tell(id, card.id, 'mentioned', 'mentioned you in the description');
      return out.done();
    }
    case 'card.updated':
    case 'card.moved': {
      const cardId = event.payload.card.id;
      const changes = event.payload.changes ?? [];
      const assigned = changes.find((c) => c.field === 'assigneeId');
      if (assigned && typeof assigned.to === 'string') {
        out.tell(assigned.to, cardId, 'assigned', 'assigned you');
        out.watch(cardId, assigned.to);
      }
      const described = changes.find((c) => c.field === 'description');
      if (described && typeof described.to === 'string')
        for (const id of newlyMentioned(
          typeof described.from === 'string' ? described.from : '',
          described.to,
        ))
          out.tell(id, cardId, 'mentioned', 'mentioned you in the description');
      // A Kanban pull assigns the card to whoever pulled it.
      if (
        event.type === 'card.moved' &&
        event.payload.card.assigneeId &&
        event.payload.card.assigneeId === actorId
      )
        out.watch(cardId, actorId);
      const what =
        event.type === 'card.moved'
          ? movedSummary(event.payload.card.columnId, event.payload.from.columnId, changes, facts)
          : changedSummary(changes);
      out.tellWatchers(cardId, what);
      return out.done();
    }
    case 'cards.moved':
      for (const card of event.payload.cards) out.tellWatchers(card.id, 'moved it');
      return out.done();
    case 'card.commented': {
      const { comment } = event.payload;
      const excerpt = plainExcerpt(comment.body);
      for (const id of mentionedUserIds(comment.body))
        out.tell(id, comment.cardId, 'mentioned', `mentioned you in a comment: ${excerpt}`);
      out.tellWatchers(comment.cardId, `commented: ${excerpt}`);
      out.watch(comment.cardId, actorId);
      return out.done();
    }
    case 'card.linked':
      out.tellWatchers(event.payload.cardId, `linked it to ${event.payload.linkedKey}`);
      return out.done();
    case 'card.unlinked':
      out.tellWatchers(event.payload.cardId, `unlinked it from ${event.payload.linkedKey}`);
      return out.done();
    case 'sla.warning':
    case 'sla.breached': {
      const cardId = event.cardId;
      const { which } = event.payload;
      const kind = event.type === 'sla.breached' ? 'sla_breached' : 'sla_warning';
      const summary =
        kind === 'sla_breached' ? `${which} SLA breached` : `${which} SLA warning: 75% of the target used`;
      const assignee = facts.assigneeOf(cardId);
      if (assignee) out.tell(assignee, cardId, kind, summary);
      for (const id of facts.watchersOf(cardId)) out.tell(id, cardId, kind, summary);
      return out.done();
    }
    case 'hypercare.incident': {
      const { incident } = event.payload;
      if (!incident.hypercare) return NOTHING;
      const owner = facts.releaseOwnerOf(incident.releaseId);
      if (owner)
        out.tell(
          owner,
          incident.cardId,
          'hypercare_incident',
          `raised in the hyper-care of release ${incident.version}`,
        );
      return out.done();
    }
    default:
      return NOTHING;
  }
}

/** Gathers notices, one per person (the most pressing kind wins), and watches, for people who may hear. */
class Outcome {
  private readonly notices = new Map<string, InboxNotice>();
  private readonly watches = new Map<string, { cardId: string; userId: string }>();

  constructor(
    private readonly actorId: string | null,
    private readonly facts: InboxFacts,
  ) {}

  tell(userId: string, cardId: string, kind: InboxKind, summary: string): void {
    if (userId === this.actorId || !this.facts.mayRead(userId)) return;
    const key = `${userId}:${cardId}`;
    const had = this.notices.get(key);
    if (had && INBOX_KINDS.indexOf(had.kind) <= INBOX_KINDS.indexOf(kind)) return;
    this.notices.set(key, { userId, cardId, kind, summary });
  }

  tellWatchers(cardId: string, summary: string): void {
    for (const id of this.facts.watchersOf(cardId)) this.tell(id, cardId, 'watching', summary);
  }

  watch(cardId: string, userId: string | null): void {
    if (userId && this.facts.mayRead(userId)) this.watches.set(`${userId}:${cardId}`, { cardId, userId });
  }

  done(): InboxOutcome {
    return { notices: [...this.notices.values()], watch: [...this.watches.values()] };
  }
}

const FIELD_NAMES: Record<string, string> = {
  assigneeId: 'assignee',
  classOfService: 'class of service',
  dueDate: 'due date',
  blockedReason: 'blocked reason',
};

function changedSummary(changes: FieldChange[]): string {
  if (changes.length === 0) return 'changed it';
  const blocked = changes.find((c) => c.field === 'blocked');
  if (blocked && changes.length === 1) return blocked.to ? 'marked it blocked' : 'unblocked it';
  return `changed ${changes.map((c) => FIELD_NAMES[c.field] ?? c.field).join(', ')}`;
}

function movedSummary(
  to: string | null,
  from: string | null,
  changes: FieldChange[],
  facts: InboxFacts,
): string {
  if (changes.length > 0) return `moved it and ${changedSummary(changes)}`;
  if (to === from) return 'moved it in the backlog';
  if (to === null) return 'moved it to the backlog';
  const name = facts.columnName(to);
  return name ? `moved it to ${name}` : 'moved it';
}

/** A comment as one short line: mention tokens read as @Name, whitespace folded. */
export function plainExcerpt(text: string): string {
  let plain = '';
  let at = 0;
  for (const m of mentionsIn(text)) {
    plain += `${text.slice(at, m.start)}@${m.name}`;
    at = m.end;
  }
  plain = (plain + text.slice(at)).replace(/\s+/g, ' ').trim();
  return plain.length > EXCERPT ? `${plain.slice(0, EXCERPT - 1)}…` : plain;
}
