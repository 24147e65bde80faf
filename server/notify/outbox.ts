/**
 * The notification outbox: inside the transaction of a release or service event, record one delivery per
 * subscribed target and queue its job. A crash before the commit loses the event and its deliveries
 * together; after it, both are there. The unique (target, event, kind) index makes a second
 * recording of the same event a no-op. Boards without targets pay one indexed query, and only for
 * the events that can notify (a release created or changing state, a page, an SLA stage, hyper-care).
 */
import type { Transaction } from 'kysely';
import type { BoardEvent, BoardEventOf, BoardEventType } from '../../protocol/events.ts';
import type { Notice, NotificationKind } from '../../protocol/notifications.ts';
import type { Database } from '../infra/schema.ts';
import type { InTransactionSubscriber } from '../sync/event-log.ts';
import type { NotifyQueue } from './queue.ts';
import { type NoticeContext, releaseNotice, releaseNoticeKind } from './release-notice.ts';
import * as repo from './repo.ts';
import {
  SERVICE_EVENT_TYPES,
  type ServiceEvent,
  serviceNotice,
  serviceNoticeKind,
} from './service-notice.ts';

type ReleaseEvent = BoardEventOf<'release.created'> | BoardEventOf<'release.updated'>;
const NOTIFYING: ReadonlySet<BoardEventType> = new Set<BoardEventType>([
  'release.created',
  'release.updated',
  ...SERVICE_EVENT_TYPES,
]);

const isRelease = (e: BoardEvent): e is ReleaseEvent =>
  e.type === 'release.created' || e.type === 'release.updated';
const kindOf = (e: BoardEvent): NotificationKind | null =>
  isRelease(e)
    ? releaseNoticeKind(e)
    : SERVICE_EVENT_TYPES.has(e.type)
      ? serviceNoticeKind(e as ServiceEvent)
      : null;

export class NotificationOutbox implements InTransactionSubscriber {
  readonly types = NOTIFYING;

  constructor(
    private readonly queue: NotifyQueue,
    private readonly publicUrl: string | undefined,
  ) {}

  async run(trx: Transaction<Database>, events: BoardEvent[]): Promise<void> {
    const telling = events.filter((e) => kindOf(e) !== null);
    const boards = new Set(telling.map((e) => e.boardId));
    for (const boardId of boards) {
      const mine = telling.filter((e) => e.boardId === boardId);
      const kinds = [...new Set(mine.map((e) => kindOf(e)!))];
      const targets = await repo.subscribedTargets(trx, boardId, kinds);
      if (targets.length === 0) continue;
      const ctx: NoticeContext = { boardName: targets[0]!.board_name, publicUrl: this.publicUrl };
      const cardIds = mine.flatMap((e) => (!isRelease(e) && e.cardId ? [e.cardId] : []));
      const cards = await repo.cardRefs(trx, cardIds);
      const rows = mine.flatMap((event) => {
        const notice: Notice | null = isRelease(event)
          ? releaseNotice(event, ctx)
          : serviceNotice(event as ServiceEvent, (event.cardId && cards.get(event.cardId)) || null, ctx);
        if (!notice) return [];
        return targets
          .filter((t) => t.events.includes(notice.kind))
          .map((t) => ({
            target_id: t.id,
            board_id: boardId,
            event_seq: event.seq,
            kind: notice.kind,
            notice: JSON.stringify(notice),
          }));
      });
      await this.queue.sendInTransaction(trx, await repo.insertDeliveries(trx, rows));
    }
  }
}
