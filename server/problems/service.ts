/**
 * Problems and known errors (issue 20): links between any two cards made by hand, a problem card's
 * record (root cause, workaround, signature, known-error status), the searchable known-error
 * database, the workaround an incident matching a known error shows, and major incidents (flag,
 * timeline, report, post-incident review). Each use case checks access first; every change is a
 * board event in its own transaction (commitWithEvents): a link is `card.linked` / `card.unlinked`,
 * and a record's change is the card's `card.updated` with the fields it changed (the card's version
 * counts it, so the card's history shows who changed the root cause when).
 */
import type { Card, Priority } from '../../protocol/model.ts';
import {
  type CardLink,
  type CardLinkKind,
  type CreateLinkInput,
  KNOWN_ERROR_SEARCH_LIMIT,
  type KnownError,
  type KnownErrorStatus,
  type MajorIncident,
  type MajorIncidentReport,
  type ProblemRecord,
  TIMELINE_LIMIT,
  type TimelineEntry,
  type UpdateMajorIncidentInput,
  type UpdateProblemInput,
  type WorkaroundMatch,
} from '../../protocol/problems.ts';
import { type Actor, requireBoardPermission } from '../access/board-access.ts';
import * as cardRepo from '../cards/repo.ts';
import * as cardWrites from '../cards/writes.ts';
import {
  linkAsSeenFrom,
  matchKnownError,
  problemOfLink,
  searchQuery,
  storedLink,
} from '../domain/known-errors.ts';
import { buildTimeline, majorIncidentReport } from '../domain/major-incident.ts';
import { problemPriority } from '../domain/recurring-incidents.ts';
import type { Db } from '../infra/database.ts';
import { invalid, notFound } from '../infra/errors.ts';
import type { CardRow, MajorIncidentRow, ProblemRecordRow } from '../infra/schema.ts';
import { type BoardEventBus, cardsHistory, commitWithEvents } from '../sync/event-log.ts';
import * as repo from './repo.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);
type SourceFacts = {
  fingerprint?: string;
  service?: string;
  knownError?: { rootCause?: string; workaround?: string };
};
const sourceOf = (card: { source: unknown }) => (card.source ?? {}) as SourceFacts;

/** A problem's record; a problem a plugin raised before records existed starts from its knownError. */
function recordOf(card: CardRow, row: ProblemRecordRow | undefined): ProblemRecord {
  const seed = sourceOf(card).knownError ?? {};
  return {
    cardId: card.id,
    rootCause: row?.root_cause ?? seed.rootCause ?? '',
    workaround: row?.workaround ?? seed.workaround ?? '',
    signature: row?.signature ?? sourceOf(card).fingerprint ?? '',
    status: (row?.status ?? 'none') as KnownErrorStatus,
    updatedAt: iso(row?.updated_at ?? null),
  };
}

function majorOf(cardId: string, row: MajorIncidentRow | undefined): MajorIncident {
  return {
    cardId,
    major: row?.major ?? false,
    declaredAt: iso(row?.declared_at ?? null),
    impact: row?.impact ?? '',
    actions: row?.actions ?? '',
    reviewNotes: row?.review_notes ?? '',
    runbookChangeUrl: row?.runbook_change_url ?? null,
  };
}

function knownErrorOf(r: Awaited<ReturnType<typeof repo.knownErrorsOf>>[number]): KnownError {
  return {
    cardId: r.id,
    key: r.key,
    title: r.title,
    priority: r.priority as Priority,
    rootCause: r.root_cause,
    workaround: r.workaround,
    signature: r.signature,
    updatedAt: iso(r.updated_at),
  };
}

export class ProblemService {
  constructor(
    private readonly db: Db,
    private readonly bus: BoardEventBus,
  ) {}

  // ---- links ---------------------------------------------------------------------------------

  async links(actor: Actor, boardId: string, cardId: string): Promise<CardLink[]> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    await this.card(this.db, boardId, cardId);
    return this.linksOf(this.db, cardId);
  }

  /** Links two cards of the board; the same link twice (even at once) is recorded once. */
  async link(actor: Actor, boardId: string, cardId: string, input: CreateLinkInput): Promise<CardLink[]> {
    await requireBoardPermission(this.db, actor, boardId, 'card:edit');
    if (input.targetId === cardId) throw invalid('targetId', 'a card cannot be linked to itself');
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const card = await this.card(trx, boardId, cardId);
      const target = await cardRepo.findCard(trx, boardId, input.targetId);
      if (!target) throw invalid('targetId', 'no such card on this board');
      const link = storedLink(card.id, target.id, input.kind);
      const [from, to] = link.from === card.id ? [card, target] : [target, card];
      const inserted = await cardWrites.linkCards(trx, record, actor, boardId, from, to, link.kind);
      const pair = inserted ? problemOfLink(link, { from: from.type, to: to.type }) : null;
      if (pair) {
        // The problem is locked before it is read, so two incidents linked at once both count.
        const problem = await cardRepo.lockCard(trx, boardId, pair.problemId);
        const incident = pair.incidentId === card.id ? card : target;
        if (problem && problem.done_at === null) {
          const priority = problemPriority(problem.priority as Priority, [incident.priority as Priority]);
          if (priority && priority !== problem.priority)
            await cardWrites.updateCard(trx, record, actor, boardId, problem, { priority }, [
              { field: 'priority', from: problem.priority, to: priority },
            ]);
        }
      }
      return this.linksOf(trx, cardId);
    });
  }

  async unlink(actor: Actor, boardId: string, cardId: string, targetId: string, kind: CardLinkKind) {
    await requireBoardPermission(this.db, actor, boardId, 'card:edit');
    await commitWithEvents(this.db, this.bus, async (trx, record) => {
      const card = await this.card(trx, boardId, cardId);
      const target = await cardRepo.findCard(trx, boardId, targetId);
      if (!target) throw invalid('targetId', 'no such card on this board');
      const link = storedLink(card.id, target.id, kind);
      if (!(await repo.deleteLink(trx, link.from, link.to, link.kind))) throw notFound('link');
      const to = link.to === card.id ? card : target;
      await record({
        boardId,
        type: 'card.unlinked',
        cardId: link.from,
        actor,
        payload: { cardId: link.from, linkedCardId: link.to, linkedKey: to.key, kind: link.kind },
      });
    });
  }

  private async linksOf(db: Db, cardId: string): Promise<CardLink[]> {
    const rows = await repo.linksOf(db, cardId);
    return rows.map((r) => ({
      cardId: r.id,
      key: r.key,
      title: r.title,
      type: r.type as Card['type'],
      priority: r.priority as Priority,
      kind: linkAsSeenFrom(cardId, { cardId: r.from_id, kind: r.kind }),
      state: r.done_at ? 'Done' : (r.column_name ?? 'Backlog'),
      done: r.done_at !== null,
      createdBy: r.created_by_label,
      createdAt: r.created_at.toISOString(),
    }));
  }

  // ---- problem records and known errors ---------------------------------------------------------

  async problem(actor: Actor, boardId: string, cardId: string): Promise<ProblemRecord> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const card = await this.card(this.db, boardId, cardId);
    if (card.type !== 'problem') throw invalid('cardId', `${card.key} is not a problem`);
    return recordOf(card, await repo.findProblemRecord(this.db, cardId));
  }

  async updateProblem(
    actor: Actor,
    boardId: string,
    cardId: string,
    input: UpdateProblemInput,
  ): Promise<ProblemRecord> {
    await requireBoardPermission(this.db, actor, boardId, 'card:edit');
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const card = await cardRepo.lockCard(trx, boardId, cardId);
      if (!card) throw notFound('card');
      if (card.type !== 'problem') throw invalid('cardId', `${card.key} is not a problem`);
      const before = recordOf(card, await repo.findProblemRecord(trx, cardId));
      const after = {
        ...before,
        ...(input.rootCause !== undefined ? { rootCause: input.rootCause.trim() } : {}),
        ...(input.workaround !== undefined ? { workaround: input.workaround.trim() } : {}),
        ...(input.signature !== undefined ? { signature: input.signature.trim() } : {}),
        ...(input.status !== undefined ? { status: input.status } : {}),
      };
      if (after.status === 'known_error' && after.workaround === '')
        throw invalid('workaround', 'a known error needs a workaround to show on matching incidents');
      const changes = (['rootCause', 'workaround', 'signature', 'status'] as const)
        .filter((f) => before[f] !== after[f])
        .map((field) => ({ field, from: before[field], to: after[field] }));
      if (changes.length === 0) return before;
      const row = await repo.saveProblemRecord(trx, {
        card_id: card.id,
        board_id: boardId,
        root_cause: after.rootCause,
        workaround: after.workaround,
        signature: after.signature,
        status: after.status,
      });
      await cardWrites.updateCard(trx, record, actor, boardId, card, {}, changes);
      return recordOf(card, row);
    });
  }

  async knownErrors(actor: Actor, boardId: string, q?: string, limit?: number): Promise<KnownError[]> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const rows = await repo.searchKnownErrors(
      this.db,
      boardId,
      searchQuery(q),
      limit ?? KNOWN_ERROR_SEARCH_LIMIT,
    );
    return rows.map(knownErrorOf);
  }

  /** The known errors an incident matches (domain/known-errors.ts `matchKnownError`), linked ones first. */
  async workarounds(actor: Actor, boardId: string, cardId: string): Promise<WorkaroundMatch[]> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const card = await this.card(this.db, boardId, cardId);
    if (card.type !== 'incident') return [];
    const source = sourceOf(card);
    const incident = {
      fingerprint: source.fingerprint ?? null,
      service: source.service ?? null,
      linkedCardIds: new Set(await repo.linkedIds(this.db, cardId)),
    };
    const matches: WorkaroundMatch[] = [];
    for (const r of await repo.knownErrorsOf(this.db, boardId)) {
      const match = matchKnownError(incident, {
        cardId: r.id,
        status: 'known_error',
        signature: r.signature,
        fingerprint: sourceOf(r).fingerprint ?? null,
      });
      if (match) matches.push({ knownError: knownErrorOf(r), match });
    }
    return matches.sort((a, b) => Number(b.match === 'linked') - Number(a.match === 'linked'));
  }

  // ---- major incidents -------------------------------------------------------------------------

  async majorIncident(actor: Actor, boardId: string, cardId: string): Promise<MajorIncident> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const card = await this.card(this.db, boardId, cardId);
    if (card.type !== 'incident') throw invalid('cardId', `${card.key} is not an incident`);
    return majorOf(cardId, await repo.findMajorIncident(this.db, cardId));
  }

  async updateMajorIncident(
    actor: Actor,
    boardId: string,
    cardId: string,
    input: UpdateMajorIncidentInput,
  ): Promise<MajorIncident> {
    await requireBoardPermission(this.db, actor, boardId, 'card:edit');
    let runbook = input.runbookChangeUrl;
    if (runbook) {
      // The schema checked the scheme; the URL is kept as the WHATWG parser writes it (no < > or spaces).
      runbook = new URL(runbook).href;
    }
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const card = await cardRepo.lockCard(trx, boardId, cardId);
      if (!card) throw notFound('card');
      if (card.type !== 'incident') throw invalid('cardId', `${card.key} is not an incident`);
      const before = majorOf(cardId, await repo.findMajorIncident(trx, cardId));
      const after: MajorIncident = {
        ...before,
        ...(input.major !== undefined ? { major: input.major } : {}),
        ...(input.impact !== undefined ? { impact: input.impact.trim() } : {}),
        ...(input.actions !== undefined ? { actions: input.actions.trim() } : {}),
        ...(input.reviewNotes !== undefined ? { reviewNotes: input.reviewNotes.trim() } : {}),
        ...(runbook !== undefined ? { runbookChangeUrl: runbook } : {}),
      };
      // Declared when first flagged; the time stays if the flag is taken off and put back.
      if (after.major && !after.declaredAt) after.declaredAt = new Date().toISOString();
      const fields = ['major', 'impact', 'actions', 'reviewNotes', 'runbookChangeUrl'] as const;
      const changes = fields
        .filter((f) => before[f] !== after[f])
        .map((f) => ({ field: f === 'major' ? 'majorIncident' : f, from: before[f], to: after[f] }));
      if (changes.length === 0) return before;
      const row = await repo.saveMajorIncident(trx, {
        card_id: cardId,
        board_id: boardId,
        major: after.major,
        declared_at: after.declaredAt ? new Date(after.declaredAt) : null,
        impact: after.impact,
        actions: after.actions,
        review_notes: after.reviewNotes,
        runbook_change_url: after.runbookChangeUrl,
      });
      await cardWrites.updateCard(trx, record, actor, boardId, card, {}, changes);
      return majorOf(cardId, row);
    });
  }

  async timeline(actor: Actor, boardId: string, cardId: string): Promise<TimelineEntry[]> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    await this.card(this.db, boardId, cardId);
    return this.timelineOf(boardId, cardId);
  }

  private async timelineOf(boardId: string, cardId: string): Promise<TimelineEntry[]> {
    const ids = [cardId, ...(await repo.linkedIds(this.db, cardId))];
    const [events, keys, columns] = await Promise.all([
      cardsHistory(this.db, ids, TIMELINE_LIMIT),
      repo.cardKeys(this.db, boardId, ids),
      repo.columnNames(this.db, boardId),
    ]);
    return buildTimeline(events, new Map(keys.map((k) => [k.id, k.key])), columns);
  }

  async report(actor: Actor, boardId: string, cardId: string): Promise<MajorIncidentReport> {
    const major = await this.majorIncident(actor, boardId, cardId);
    const card = await this.card(this.db, boardId, cardId);
    const linked = await repo.linkedIds(this.db, cardId);
    const [problems, timeline] = await Promise.all([
      repo.problemRecordsOf(this.db, linked),
      this.timelineOf(boardId, cardId),
    ]);
    const generatedAt = new Date().toISOString();
    const markdown = majorIncidentReport({
      incident: {
        key: card.key,
        title: card.title,
        priority: card.priority,
        description: card.description,
        createdAt: card.created_at.toISOString(),
        doneAt: iso(card.done_at),
      },
      major,
      problems: problems
        .filter((p) => p.type === 'problem')
        .map((p) => ({
          key: p.key,
          title: p.title,
          status: p.status,
          rootCause: p.root_cause,
          workaround: p.workaround,
        })),
      timeline,
      generatedAt,
    });
    return { markdown, generatedAt };
  }

  private async card(db: Db, boardId: string, cardId: string): Promise<CardRow> {
    const card = await cardRepo.findCard(db, boardId, cardId);
    if (!card) throw notFound('card');
    return card;
  }
}
