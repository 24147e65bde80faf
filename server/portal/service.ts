/**
 * Request portal use cases (issue 20). A requester is not a board member: every portal call starts by
 * finding the caller's board_requesters row (none → 404, as for a board one cannot see) and every
 * request is looked up with its requester, so another's request is a 404 too. A new request is a
 * `service_request` card in the maintenance stream, written through the one card write path
 * (cards/writes.ts) with its `card.created` event, and assigned to whoever is on duty now on the
 * board's rotas (AMS duty first). The team manages who may use the portal (`requester:manage`).
 */
import type {
  CardRequest,
  CreateRequestInput,
  PortalBoard,
  PortalComment,
  PortalRequest,
  PortalRequestDetail,
  RateRequestInput,
  Requester,
  RequestType,
} from '../../protocol/portal.ts';
import { type Actor, requireBoardPermission } from '../access/board-access.ts';
import * as cardRepo from '../cards/repo.ts';
import * as writes from '../cards/writes.ts';
import { canRate, requestStatus } from '../domain/request-status.ts';
import type { Db } from '../infra/database.ts';
import { AppError, invalid, notFound } from '../infra/errors.ts';
import { triagerOnDuty } from '../oncall/triage.ts';
import { type BoardEventBus, commitWithEvents } from '../sync/event-log.ts';
import * as repo from './repo.ts';

export function toRequest(r: repo.RequestRow): PortalRequest {
  const rated = r.rating !== null;
  return {
    id: r.card_id,
    boardId: r.board_id,
    key: r.key,
    requestType: r.request_type as RequestType,
    title: r.title,
    description: r.description,
    status: requestStatus({
      columnCategory: (r.category as 'todo' | 'in_progress' | 'done' | null) ?? null,
      done: r.done_at !== null,
      waitingOn: (r.waiting as 'customer' | 'third_party' | null) ?? null,
      rated,
    }),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    rating: rated
      ? {
          rating: r.rating as number,
          comment: r.rating_comment ?? '',
          ratedAt: (r.rated_at as Date).toISOString(),
        }
      : null,
  };
}

export class PortalService {
  constructor(
    private readonly db: Db,
    private readonly bus: BoardEventBus,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  // ---- the requester's side

  /** The boards whose portal the caller may use. */
  async boards(actor: Actor): Promise<PortalBoard[]> {
    if (!actor.userId) return [];
    return repo.requesterBoards(this.db, actor.userId);
  }

  async board(actor: Actor, boardId: string): Promise<PortalBoard> {
    return this.requester(actor, boardId);
  }

  async list(actor: Actor, boardId: string): Promise<PortalRequest[]> {
    const me = await this.requester(actor, boardId);
    return (await repo.listRequests(this.db, boardId, me.userId)).map(toRequest);
  }

  async get(actor: Actor, boardId: string, requestId: string): Promise<PortalRequestDetail> {
    const me = await this.requester(actor, boardId);
    const row = await repo.findRequest(this.db, boardId, me.userId, requestId);
    if (!row) throw notFound('request');
    return { request: toRequest(row), comments: await this.comments(requestId, me.userId) };
  }

  async create(actor: Actor, boardId: string, input: CreateRequestInput): Promise<PortalRequest> {
    const me = await this.requester(actor, boardId);
    const onDuty = await this.assigneeOnDuty(boardId);
    const cardId = await commitWithEvents(this.db, this.bus, async (trx, record) => {
      const row = await writes.createCard(trx, record, actor, boardId, 'bottom', {
        title: writes.cardTitle(input.title),
        description: input.description,
        type: 'service_request',
        stream: 'maintenance',
        priority: 'medium',
        class_of_service: 'standard',
        estimate: null,
        labels: [`request:${input.requestType}`],
        assignee_id: onDuty,
        due_date: null,
        source: null,
        created_by: me.userId,
      });
      await repo.insertRequest(trx, {
        cardId: row.id,
        boardId,
        requesterId: me.userId,
        requestType: input.requestType,
      });
      return row.id;
    });
    const row = await repo.findRequest(this.db, boardId, me.userId, cardId);
    return toRequest(row as repo.RequestRow);
  }

  /** The requester's comment, on the card: the team reads it there (a `card.commented` event). */
  async comment(actor: Actor, boardId: string, requestId: string, body: string): Promise<PortalComment> {
    const me = await this.requester(actor, boardId);
    const text = body.trim();
    if (text === '') throw invalid('body', 'must not be blank');
    const comment = await commitWithEvents(this.db, this.bus, async (trx, record) => {
      if (!(await repo.findRequest(trx, boardId, me.userId, requestId))) throw notFound('request');
      return writes.addComment(trx, record, actor, boardId, requestId, text);
    });
    return {
      id: comment.id,
      author: comment.author,
      mine: true,
      body: comment.body,
      createdAt: comment.createdAt,
    };
  }

  /**
   * Rates a resolved request, once: the request's row is locked while deciding, and the rating's
   * primary key is the request, so two ratings at once store one and refuse the other.
   */
  async rate(
    actor: Actor,
    boardId: string,
    requestId: string,
    input: RateRequestInput,
  ): Promise<PortalRequest> {
    const me = await this.requester(actor, boardId);
    await this.db.transaction().execute(async (trx) => {
      const row = await repo.lockRequest(trx, boardId, me.userId, requestId);
      if (!row) throw notFound('request');
      const status = toRequest(row).status;
      if (!canRate(status))
        throw new AppError(
          'CONFLICT',
          status === 'closed'
            ? 'rating: this request is rated already'
            : 'rating: only a resolved request is rated',
          { field: 'rating', status },
        );
      const stored = await repo.insertRating(trx, {
        cardId: requestId,
        boardId,
        rating: input.rating,
        comment: (input.comment ?? '').trim(),
        ratedBy: me.userId,
      });
      if (!stored)
        throw new AppError('CONFLICT', 'rating: this request is rated already', { field: 'rating' });
    });
    const row = await repo.findRequest(this.db, boardId, me.userId, requestId);
    return toRequest(row as repo.RequestRow);
  }

  // ---- the team's side

  /** Who asked for this card and how they rated it (404 when the card is no service request). */
  async cardRequest(actor: Actor, boardId: string, cardId: string): Promise<CardRequest> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const row = await repo.requestOfCard(this.db, boardId, cardId);
    if (!row) throw notFound('service request');
    const request = toRequest(row);
    return {
      cardId,
      requester: { userId: row.requester_id, name: row.requester_name, email: row.requester_email },
      requestType: request.requestType,
      status: request.status,
      rating: request.rating,
    };
  }

  async requesters(actor: Actor, boardId: string): Promise<Requester[]> {
    await requireBoardPermission(this.db, actor, boardId, 'requester:manage');
    return repo.listRequesters(this.db, boardId);
  }

  async addRequester(actor: Actor, boardId: string, email: string): Promise<Requester> {
    await requireBoardPermission(this.db, actor, boardId, 'requester:manage');
    const user = await repo.userByEmail(this.db, email);
    if (!user)
      throw invalid('email', 'no account has this e-mail address; an administrator creates it first');
    await repo.addRequester(this.db, boardId, user.userId, actor.userId);
    return user;
  }

  async removeRequester(actor: Actor, boardId: string, userId: string): Promise<void> {
    await requireBoardPermission(this.db, actor, boardId, 'requester:manage');
    if (!(await repo.removeRequester(this.db, boardId, userId))) throw notFound('requester');
  }

  // ----

  private async requester(actor: Actor, boardId: string): Promise<PortalBoard & { userId: string }> {
    const board = actor.userId ? await repo.requesterBoard(this.db, boardId, actor.userId) : undefined;
    if (!board || !actor.userId) throw notFound('board');
    return { ...board, userId: actor.userId };
  }

  private async comments(cardId: string, requesterId: string): Promise<PortalComment[]> {
    const visible = (await cardRepo.listComments(this.db, cardId)).filter((c) => !c.internal);
    return visible.map((c) => ({
      id: c.id,
      author: c.author_label,
      mine: c.author_id === requesterId,
      body: c.body,
      createdAt: c.created_at.toISOString(),
    }));
  }

  /** Who triages a new request: the person on duty now (oncall/triage.ts). */
  private assigneeOnDuty(boardId: string): Promise<string | null> {
    return triagerOnDuty(this.db, boardId, this.clock());
  }
}
