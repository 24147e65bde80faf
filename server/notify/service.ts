/**
 * Notification targets of a board: add, list, change, remove, their delivery log, and "send test".
 * Board admins and product owners (plugin:manage) manage them: a target's URL can itself be a
 * secret (a Slack webhook URL is), so reading them needs the same permission as changing them.
 */
import { randomBytes } from 'node:crypto';
import type {
  CreatedNotificationTarget,
  CreateNotificationTargetInput,
  NotificationDelivery,
  NotificationDeliveryStatus,
  NotificationFormat,
  NotificationKind,
  NotificationTarget,
  UpdateNotificationTargetInput,
} from '../../protocol/notifications.ts';
import { type Actor, requireBoardPermission } from '../access/board-access.ts';
import type { Db } from '../infra/database.ts';
import { invalid, notFound } from '../infra/errors.ts';
import type { SecretBox } from '../infra/secret-box.ts';
import type { NotifyQueue } from './queue.ts';
import { testNotice } from './release-notice.ts';
import * as repo from './repo.ts';
import { checkTargetUrl } from './sender.ts';

export interface NotificationServiceOptions {
  allowPrivate: boolean;
}

export class NotificationService {
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
    private readonly queue: NotifyQueue,
    private readonly options: NotificationServiceOptions,
  ) {}

  async list(actor: Actor, boardId: string): Promise<NotificationTarget[]> {
    await requireBoardPermission(this.db, actor, boardId, 'plugin:manage');
    return (await repo.listTargets(this.db, boardId)).map(toTarget);
  }

  async create(
    actor: Actor,
    boardId: string,
    input: CreateNotificationTargetInput,
  ): Promise<CreatedNotificationTarget> {
    await requireBoardPermission(this.db, actor, boardId, 'plugin:manage');
    const url = checkTargetUrl(input.url, this.options.allowPrivate);
    const routingKey = input.routingKey?.trim() || null;
    requireRoutingKey(input.format, routingKey !== null);
    const secret = `bbn_${randomBytes(32).toString('hex')}`;
    const row = await repo.insertTarget(this.db, {
      board_id: boardId,
      name: input.name.trim(),
      url,
      format: input.format,
      events: [...new Set(input.events)],
      enabled: input.enabled ?? true,
      secret: this.secrets.seal(secret),
      routing_key: routingKey === null ? null : this.secrets.seal(routingKey),
      created_by: actor.userId,
    });
    return { target: toTarget(row), secret };
  }

  async update(
    actor: Actor,
    boardId: string,
    targetId: string,
    input: UpdateNotificationTargetInput,
  ): Promise<NotificationTarget> {
    await requireBoardPermission(this.db, actor, boardId, 'plugin:manage');
    const current = await repo.findTarget(this.db, boardId, targetId);
    if (!current) throw notFound('notification target');
    const set: Parameters<typeof repo.updateTarget>[3] = {};
    if (input.name !== undefined) set.name = input.name.trim();
    if (input.url !== undefined) set.url = checkTargetUrl(input.url, this.options.allowPrivate);
    if (input.format !== undefined) set.format = input.format;
    if (input.events !== undefined) set.events = [...new Set(input.events)];
    if (input.enabled !== undefined) set.enabled = input.enabled;
    if (input.routingKey !== undefined) {
      const key = input.routingKey?.trim() || null;
      set.routing_key = key === null ? null : this.secrets.seal(key);
    }
    const routingKeyAfter =
      set.routing_key !== undefined ? set.routing_key !== null : current.routing_key !== null;
    requireRoutingKey((set.format ?? current.format) as NotificationFormat, routingKeyAfter);
    const row = await repo.updateTarget(this.db, boardId, targetId, set);
    if (!row) throw notFound('notification target');
    return toTarget(row);
  }

  async remove(actor: Actor, boardId: string, targetId: string): Promise<void> {
    await requireBoardPermission(this.db, actor, boardId, 'plugin:manage');
    if (!(await repo.deleteTarget(this.db, boardId, targetId))) throw notFound('notification target');
  }

  async deliveries(
    actor: Actor,
    boardId: string,
    targetId: string,
    limit = 50,
  ): Promise<NotificationDelivery[]> {
    await requireBoardPermission(this.db, actor, boardId, 'plugin:manage');
    if (!(await repo.findTarget(this.db, boardId, targetId))) throw notFound('notification target');
    return (await repo.deliveriesOf(this.db, targetId, limit)).map(toDelivery);
  }

  /** Queue a test notification to the target, signed and logged like any other. */
  async sendTest(actor: Actor, boardId: string, targetId: string): Promise<NotificationDelivery> {
    await requireBoardPermission(this.db, actor, boardId, 'plugin:manage');
    const target = await repo.findTarget(this.db, boardId, targetId);
    if (!target) throw notFound('notification target');
    const name = (await repo.boardName(this.db, boardId)) ?? '';
    const notice = testNotice({ id: boardId, name }, actor.label, new Date());
    const id = await this.db.transaction().execute(async (trx) => {
      const [deliveryId] = await repo.insertDeliveries(trx, [
        {
          target_id: targetId,
          board_id: boardId,
          event_seq: null,
          kind: notice.kind,
          notice: JSON.stringify(notice),
        },
      ]);
      await this.queue.sendInTransaction(trx, [deliveryId!]);
      return deliveryId!;
    });
    return toDelivery((await repo.findDelivery(this.db, id))!);
  }
}

function requireRoutingKey(format: NotificationFormat, present: boolean): void {
  if (format === 'pagerduty' && !present)
    throw invalid(
      'routingKey',
      'the pagerduty format needs the routing key of a PagerDuty Events API v2 integration',
    );
}

function toTarget(r: repo.TargetRow): NotificationTarget {
  return {
    id: r.id,
    boardId: r.board_id,
    name: r.name,
    url: r.url,
    format: r.format as NotificationFormat,
    events: r.events as NotificationKind[],
    enabled: r.enabled,
    hasRoutingKey: r.routing_key !== null,
    createdAt: r.created_at.toISOString(),
  };
}

function toDelivery(r: repo.DeliveryRow): NotificationDelivery {
  return {
    id: r.id,
    targetId: r.target_id,
    kind: r.kind,
    eventSeq: r.event_seq === null ? null : Number(r.event_seq),
    summary: (r.notice as { summary?: string }).summary ?? '',
    status: r.status as NotificationDeliveryStatus,
    attempts: r.attempts,
    responseCode: r.response_code,
    lastError: r.last_error,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    deliveredAt: r.delivered_at?.toISOString() ?? null,
  };
}
