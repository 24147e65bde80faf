/**
 * The inbox's use cases: a person reads and marks their own notifications (nobody else's: every
 * query is keyed by the actor's own id, and a notification about a board they may no longer read
 * is hidden), and watches or unwatches a card of a board they may read.
 */
import type { InboxNotification, InboxPage, InboxQuery, Watch } from '../../protocol/inbox.ts';
import { type Actor, requireBoardPermission } from '../access/board-access.ts';
import type { Db } from '../infra/database.ts';
import { AppError, notFound } from '../infra/errors.ts';
import * as repo from './repo.ts';

const PAGE = 30;

type Me = { userId: string; isAdmin: boolean };

function me(actor: Actor): Me {
  // Plugins act without a person; an inbox is a person's.
  if (!actor.userId) throw new AppError('UNAUTHENTICATED', 'the inbox is a signed-in person’s');
  return { userId: actor.userId, isAdmin: actor.isAdmin };
}

export class InboxService {
  constructor(
    private readonly db: Db,
    /** told after a person's inbox changed by their own hand (their other tabs follow) */
    private readonly onChanged: (userIds: string[]) => void = () => {},
  ) {}

  async list(actor: Actor, query: InboxQuery): Promise<InboxPage> {
    const who = me(actor);
    const limit = query.limit ? Number(query.limit) : PAGE;
    const rows = await repo.listFor(this.db, who, {
      unreadOnly: query.unread === 'true',
      before: query.before ? Number(query.before) : null,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const items: InboxNotification[] = page.map((r) => ({
      id: r.id,
      kind: r.kind as InboxNotification['kind'],
      boardId: r.board_id,
      boardName: r.board_name,
      cardId: r.card_id,
      cardKey: r.card_key,
      cardTitle: r.card_title,
      actor: r.actor_label,
      summary: r.summary,
      changes: r.changes,
      at: r.happened_at.toISOString(),
      read: r.read_at !== null,
    }));
    return {
      items,
      unread: await repo.unreadCount(this.db, who),
      next: rows.length > limit ? String(page[page.length - 1]!.touched) : null,
    };
  }

  async unread(actor: Actor): Promise<{ unread: number }> {
    return { unread: await repo.unreadCount(this.db, me(actor)) };
  }

  async markRead(actor: Actor, id: string): Promise<{ unread: number }> {
    const who = me(actor);
    if (!(await repo.markRead(this.db, who.userId, id))) throw notFound('notification');
    this.onChanged([who.userId]);
    return { unread: await repo.unreadCount(this.db, who) };
  }

  async markAllRead(actor: Actor): Promise<{ unread: number }> {
    const who = me(actor);
    await repo.markAllRead(this.db, who.userId);
    this.onChanged([who.userId]);
    return { unread: await repo.unreadCount(this.db, who) };
  }

  async watching(actor: Actor, boardId: string, cardId: string): Promise<Watch> {
    const who = me(actor);
    await this.requireCard(actor, boardId, cardId);
    return { watching: await repo.isWatching(this.db, cardId, who.userId) };
  }

  async setWatching(actor: Actor, boardId: string, cardId: string, watching: boolean): Promise<Watch> {
    const who = me(actor);
    await this.requireCard(actor, boardId, cardId);
    await repo.setWatching(this.db, boardId, cardId, who.userId, watching);
    return { watching };
  }

  private async requireCard(actor: Actor, boardId: string, cardId: string): Promise<void> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    if (!(await repo.cardOnBoard(this.db, boardId, cardId))) throw notFound('card');
  }
}
