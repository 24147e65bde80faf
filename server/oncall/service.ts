/**
 * On-call use cases: rotas with their overrides and swaps, who is on duty now, service history,
 * escalation policies, acknowledging an escalation, and the alert-noise report. Every route starts
 * with the actor's permission on the board (everyone on the board reads; `oncall:manage` edits);
 * every change is a board event recorded with it. The rules are server/domain/oncall.ts.
 */
import type {
  AlertNoise,
  CoverInput,
  Escalation,
  OnDutyNow,
  Policy,
  PolicyInput,
  Rota,
  RotaInput,
  ServiceHistory,
  Shift,
} from '../../protocol/oncall.ts';
import { type Actor, requireBoardPermission } from '../access/board-access.ts';
import * as rules from '../domain/oncall.ts';
import type { Db } from '../infra/database.ts';
import { AppError, invalid, notFound } from '../infra/errors.ts';
import type { CoverRow, EscalationRow, PolicyRow, RotaRow } from '../infra/schema.ts';
import { type BoardEventBus, commitWithEvents } from '../sync/event-log.ts';
import * as repo from './repo.ts';

const DAY_MS = 86_400_000;

function toRota(row: RotaRow, covers: CoverRow[]): Rota {
  return {
    id: row.id,
    boardId: row.board_id,
    name: row.name,
    duty: row.duty as Rota['duty'],
    rotation: row.rotation,
    members: row.members as string[],
    pattern: row.pattern as Rota['pattern'],
    startDate: row.start_date,
    covers: covers
      .filter((c) => c.rota_id === row.id)
      .map((c) => ({
        id: c.id,
        kind: c.kind as 'override' | 'swap',
        userId: c.user_id,
        withUserId: c.with_user_id,
        from: c.starts_at.toISOString(),
        to: c.ends_at.toISOString(),
      })),
    revision: row.revision,
  };
}

/** The rota as the rules see it, with the covers given (those touching the range asked about). */
export function rulesRota(
  row: RotaRow,
  covers: CoverRow[],
): rules.Rota & { duty: rules.Duty; rotation: boolean } {
  const mine = covers.filter((c) => c.rota_id === row.id);
  return {
    members: row.members as string[],
    pattern: row.pattern as rules.ShiftPattern,
    startDate: row.start_date,
    duty: row.duty as rules.Duty,
    rotation: row.rotation,
    overrides: mine
      .filter((c) => c.kind === 'override')
      .map((c) => ({ userId: c.user_id, from: c.starts_at, to: c.ends_at })),
    swaps: mine
      .filter((c) => c.kind === 'swap')
      .map((c) => ({ userId: c.user_id, withUserId: c.with_user_id!, from: c.starts_at, to: c.ends_at })),
  };
}

function toPolicy(row: PolicyRow): Policy {
  return {
    id: row.id,
    boardId: row.board_id,
    name: row.name,
    priorities: row.priorities as Policy['priorities'],
    steps: row.steps as Policy['steps'],
  };
}

const refused = (r: rules.Refusal) => invalid(r.field, r.message);

export class OncallService {
  constructor(
    private readonly db: Db,
    private readonly bus: BoardEventBus,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  // ---- Rotas

  async listRotas(actor: Actor, boardId: string): Promise<Rota[]> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const rows = await repo.listRotas(this.db, boardId);
    const now = this.clock();
    const covers = await repo.covers(
      this.db,
      rows.map((r) => r.id),
      now,
      new Date(8.64e15),
    );
    return rows.map((r) => toRota(r, covers));
  }

  async getRota(actor: Actor, boardId: string, rotaId: string): Promise<Rota> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    return this.rota(this.db, boardId, rotaId);
  }

  private async rota(db: Db, boardId: string, rotaId: string): Promise<Rota> {
    const row = await repo.findRota(db, boardId, rotaId);
    if (!row) throw notFound('rota');
    return toRota(row, await repo.covers(db, [row.id], this.clock(), new Date(8.64e15)));
  }

  private async checkRota(boardId: string, input: RotaInput): Promise<void> {
    const refusal = rules.validateRota({
      members: input.members,
      pattern: input.pattern as rules.ShiftPattern,
      startDate: input.startDate,
    });
    if (refusal) throw refused(refusal);
    const onBoard = await repo.boardMembers(this.db, boardId, input.members);
    for (const [i, m] of input.members.entries())
      if (!onBoard.has(m)) throw invalid(`members[${i}]`, 'is not a member of this board');
  }

  private rotaValues(input: RotaInput): repo.RotaValues {
    return {
      name: input.name.trim(),
      duty: input.duty,
      rotation: input.rotation ?? false,
      members: JSON.stringify(input.members),
      pattern: JSON.stringify(input.pattern),
      start_date: input.startDate,
    };
  }

  async createRota(actor: Actor, boardId: string, input: RotaInput): Promise<Rota> {
    await requireBoardPermission(this.db, actor, boardId, 'oncall:manage');
    await this.checkRota(boardId, input);
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const rota = toRota(await repo.insertRota(trx, boardId, this.rotaValues(input)), []);
      await record({
        boardId,
        type: 'oncall.rota_changed',
        cardId: null,
        actor,
        payload: { rotaId: rota.id, rota },
      });
      return rota;
    });
  }

  async updateRota(actor: Actor, boardId: string, rotaId: string, input: RotaInput): Promise<Rota> {
    await requireBoardPermission(this.db, actor, boardId, 'oncall:manage');
    await this.checkRota(boardId, input);
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      if (!(await repo.findRota(trx, boardId, rotaId))) throw notFound('rota');
      await repo.updateRota(trx, rotaId, this.rotaValues(input));
      const rota = await this.rota(trx, boardId, rotaId);
      await record({ boardId, type: 'oncall.rota_changed', cardId: null, actor, payload: { rotaId, rota } });
      return rota;
    });
  }

  async deleteRota(actor: Actor, boardId: string, rotaId: string): Promise<void> {
    await requireBoardPermission(this.db, actor, boardId, 'oncall:manage');
    await commitWithEvents(this.db, this.bus, async (trx, record) => {
      if (!(await repo.findRota(trx, boardId, rotaId))) throw notFound('rota');
      // a policy step that pages this rota's people would page nobody
      const users = (await repo.listPolicies(trx, boardId)).filter((p) =>
        (p.steps as Policy['steps']).some(
          (step) => step.target.kind !== 'user' && step.target.rotaId === rotaId,
        ),
      );
      if (users.length > 0)
        throw new AppError('CONFLICT', `rotaId: the escalation policy ${users[0]!.name} pages this rota`, {
          field: 'rotaId',
        });
      await repo.deleteRota(trx, rotaId);
      await record({
        boardId,
        type: 'oncall.rota_changed',
        cardId: null,
        actor,
        payload: { rotaId, rota: null },
      });
    });
  }

  /** An override (someone covers an interval) or a swap (two members exchange shifts within it). */
  async addCover(actor: Actor, boardId: string, rotaId: string, input: CoverInput): Promise<Rota> {
    await requireBoardPermission(this.db, actor, boardId, 'oncall:manage');
    const from = new Date(input.from);
    const to = new Date(input.to);
    if (!(to > from)) throw invalid('to', 'ends after it starts');
    if (to.getTime() - from.getTime() > 366 * DAY_MS) throw invalid('to', 'a cover lasts at most a year');
    const people = input.kind === 'swap' ? [input.userId, input.withUserId] : [input.userId];
    const onBoard = await repo.boardMembers(this.db, boardId, people);
    if (!onBoard.has(input.userId)) throw invalid('userId', 'is not a member of this board');
    if (input.kind === 'swap') {
      if (!onBoard.has(input.withUserId)) throw invalid('withUserId', 'is not a member of this board');
      if (input.withUserId === input.userId) throw invalid('withUserId', 'a swap takes two people');
    }
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      if (!(await repo.findRota(trx, boardId, rotaId))) throw notFound('rota');
      await repo.insertCover(trx, {
        rota_id: rotaId,
        kind: input.kind,
        user_id: input.userId,
        with_user_id: input.kind === 'swap' ? input.withUserId : null,
        starts_at: from,
        ends_at: to,
        created_by: actor.userId,
      });
      const rota = await this.rota(trx, boardId, rotaId);
      await record({ boardId, type: 'oncall.rota_changed', cardId: null, actor, payload: { rotaId, rota } });
      return rota;
    });
  }

  async deleteCover(actor: Actor, boardId: string, rotaId: string, coverId: string): Promise<Rota> {
    await requireBoardPermission(this.db, actor, boardId, 'oncall:manage');
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      if (!(await repo.findRota(trx, boardId, rotaId))) throw notFound('rota');
      if (!(await repo.deleteCover(trx, rotaId, coverId))) throw notFound('cover');
      const rota = await this.rota(trx, boardId, rotaId);
      await record({ boardId, type: 'oncall.rota_changed', cardId: null, actor, payload: { rotaId, rota } });
      return rota;
    });
  }

  // ---- Who is on duty

  /** Per rota of the board: who is on duty now and who is next. */
  async now(actor: Actor, boardId: string): Promise<OnDutyNow[]> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    return this.onDutyNow(boardId, this.clock());
  }

  async onDutyNow(boardId: string, at: Date): Promise<OnDutyNow[]> {
    const rows = await repo.listRotas(this.db, boardId);
    const covers = await repo.covers(
      this.db,
      rows.map((r) => r.id),
      new Date(at.getTime() - 16 * DAY_MS),
      new Date(at.getTime() + 57 * DAY_MS),
    );
    const found = rows.map((row) => {
      const rota = rulesRota(row, covers);
      return { row, onDuty: rules.onDuty(rota, at), next: rules.next(rota, at) };
    });
    const who = await repo.names(
      this.db,
      found.flatMap((f) => [f.onDuty?.userId, f.next?.userId]).filter((x): x is string => !!x),
    );
    return found.map((f) => ({
      rotaId: f.row.id,
      rotaName: f.row.name,
      duty: f.row.duty as OnDutyNow['duty'],
      onDuty: f.onDuty ? toShift(f.onDuty, who) : null,
      next: f.next ? toShift(f.next, who) : null,
    }));
  }

  async timeline(
    actor: Actor,
    boardId: string,
    rotaId: string,
    fromIso: string,
    toIso: string,
  ): Promise<Shift[]> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const from = new Date(fromIso);
    const to = new Date(toIso);
    if (!(to > from)) throw invalid('to', 'comes after from');
    if (to.getTime() - from.getTime() > 92 * DAY_MS) throw invalid('to', 'a timeline covers at most 92 days');
    const row = await repo.findRota(this.db, boardId, rotaId);
    if (!row) throw notFound('rota');
    const shifts = rules.timeline(rulesRota(row, await repo.covers(this.db, [rotaId], from, to)), from, to);
    const who = await repo.names(this.db, [...new Set(shifts.map((s) => s.userId))]);
    return shifts.map((s) => toShift(s, who));
  }

  /** Where a person served (AMS or development duty), from the board's rotas' shifts, up to now. */
  async history(actor: Actor, boardId: string, userId: string, days = 90): Promise<ServiceHistory> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const to = this.clock();
    const from = new Date(to.getTime() - days * DAY_MS);
    const rows = await repo.listRotas(this.db, boardId);
    const covers = await repo.covers(
      this.db,
      rows.map((r) => r.id),
      from,
      to,
    );
    const periods = rows.flatMap((row) =>
      rules.serviceHistory(rulesRota(row, covers), userId, from, to).map((p) => ({
        rotaId: row.id,
        rotaName: row.name,
        duty: p.duty,
        from: p.from.toISOString(),
        to: p.to.toISOString(),
      })),
    );
    periods.sort((a, b) => a.from.localeCompare(b.from));
    const hours = { ams: 0, development: 0 };
    for (const p of periods) hours[p.duty] += (Date.parse(p.to) - Date.parse(p.from)) / 3_600_000;
    const name = (await repo.names(this.db, [userId])).get(userId);
    // someone who never served here and is not on the board is not this board's to name
    const member = (await repo.boardMembers(this.db, boardId, [userId])).has(userId);
    if (!name || (!member && periods.length === 0)) throw notFound('person');
    return { userId, name, periods, hours };
  }

  // ---- Escalation policies

  async listPolicies(actor: Actor, boardId: string): Promise<Policy[]> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    return (await repo.listPolicies(this.db, boardId)).map(toPolicy);
  }

  private async checkPolicy(boardId: string, input: PolicyInput): Promise<void> {
    const refusal = rules.validatePolicy(input);
    if (refusal) throw refused(refusal);
    const rotaIds = new Set((await repo.listRotas(this.db, boardId)).map((r) => r.id));
    const users = input.steps.flatMap((s) => (s.target.kind === 'user' ? [s.target.userId] : []));
    const onBoard = await repo.boardMembers(this.db, boardId, users);
    for (const [i, s] of input.steps.entries()) {
      const t = s.target;
      if (t.kind === 'user' && !onBoard.has(t.userId))
        throw invalid(`steps[${i}].target.userId`, 'is not a member of this board');
      if (t.kind !== 'user' && !rotaIds.has(t.rotaId))
        throw invalid(`steps[${i}].target.rotaId`, 'no such rota on this board');
    }
  }

  private policyValues(input: PolicyInput): repo.PolicyValues {
    return {
      name: input.name.trim(),
      priorities: JSON.stringify(input.priorities),
      steps: JSON.stringify(input.steps),
    };
  }

  async createPolicy(actor: Actor, boardId: string, input: PolicyInput): Promise<Policy> {
    await requireBoardPermission(this.db, actor, boardId, 'oncall:manage');
    await this.checkPolicy(boardId, input);
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const policy = toPolicy(await repo.insertPolicy(trx, boardId, this.policyValues(input)));
      await record({
        boardId,
        type: 'oncall.policy_changed',
        cardId: null,
        actor,
        payload: { policyId: policy.id, policy },
      });
      return policy;
    });
  }

  async updatePolicy(actor: Actor, boardId: string, policyId: string, input: PolicyInput): Promise<Policy> {
    await requireBoardPermission(this.db, actor, boardId, 'oncall:manage');
    await this.checkPolicy(boardId, input);
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      if (!(await repo.findPolicy(trx, boardId, policyId))) throw notFound('policy');
      const policy = toPolicy(await repo.updatePolicy(trx, policyId, this.policyValues(input)));
      await record({
        boardId,
        type: 'oncall.policy_changed',
        cardId: null,
        actor,
        payload: { policyId, policy },
      });
      return policy;
    });
  }

  async deletePolicy(actor: Actor, boardId: string, policyId: string): Promise<void> {
    await requireBoardPermission(this.db, actor, boardId, 'oncall:manage');
    await commitWithEvents(this.db, this.bus, async (trx, record) => {
      if (!(await repo.findPolicy(trx, boardId, policyId))) throw notFound('policy');
      await repo.deletePolicy(trx, policyId);
      await record({
        boardId,
        type: 'oncall.policy_changed',
        cardId: null,
        actor,
        payload: { policyId, policy: null },
      });
    });
  }

  // ---- Escalations

  async escalation(actor: Actor, boardId: string, cardId: string): Promise<Escalation> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const row = await repo.findEscalation(this.db, boardId, cardId);
    if (!row) throw notFound('escalation');
    return this.toEscalation(row);
  }

  private async toEscalation(row: EscalationRow): Promise<Escalation> {
    const paged = await repo.pages(this.db, row.id);
    const ackedBy = row.acked_by ? (await repo.names(this.db, [row.acked_by])).get(row.acked_by) : undefined;
    return {
      cardId: row.card_id,
      policyId: row.policy_id,
      triggeredAt: row.triggered_at.toISOString(),
      nextStep: row.next_step,
      nextAt: row.next_at ? row.next_at.toISOString() : null,
      ackedAt: row.acked_at ? row.acked_at.toISOString() : null,
      ackedBy: row.acked_by && ackedBy ? { userId: row.acked_by, name: ackedBy } : null,
      pages: paged.map((p) => ({
        step: p.step,
        userId: p.user_id,
        name: p.name,
        at: p.paged_at.toISOString(),
      })),
    };
  }

  /**
   * Acknowledges an incident's escalation: no further step pages. Decided under the escalation's row
   * lock, so an acknowledgement and a step due at the same moment give one order (the scheduler
   * skips a row it cannot lock and sees it acknowledged next time). A second acknowledgement is a 409.
   */
  async acknowledge(actor: Actor, boardId: string, cardId: string): Promise<Escalation> {
    await requireBoardPermission(this.db, actor, boardId, 'card:edit');
    const row = await commitWithEvents(this.db, this.bus, async (trx, record) => {
      const esc = await repo.lockEscalation(trx, boardId, cardId);
      if (!esc) throw notFound('escalation');
      if (esc.acked_at)
        throw new AppError('CONFLICT', 'escalation: already acknowledged', { field: 'escalation' });
      const card = await repo.cardFacts(trx, cardId);
      const at = this.clock();
      await repo.acknowledge(trx, esc.id, actor.userId, at);
      await record({
        boardId,
        type: 'oncall.acknowledged',
        cardId,
        actor,
        payload: { cardId, key: card?.key ?? '', stepsPaged: esc.next_step },
      });
      return { ...esc, acked_at: at, acked_by: actor.userId, next_at: null };
    });
    return this.toEscalation(row);
  }

  // ---- Alert noise

  async alertNoise(actor: Actor, boardId: string, days = 30): Promise<AlertNoise> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const from = new Date(this.clock().getTime() - days * DAY_MS);
    const rows = await repo.alertNoise(this.db, boardId, from);
    return {
      from: from.toISOString(),
      sources: rows.map((r) => ({
        installationId: r.installation_id,
        pluginId: r.plugin_id,
        name: r.name,
        closed: r.closed,
        noHumanAction: r.no_human_action,
        share: r.closed === 0 ? 0 : r.no_human_action / r.closed,
      })),
    };
  }
}

function toShift(s: rules.Shift, who: Map<string, string>): Shift {
  return {
    userId: s.userId,
    name: who.get(s.userId) ?? 'a former member',
    from: s.start.toISOString(),
    to: s.end.toISOString(),
    ...(s.region ? { region: s.region } : {}),
    ...(s.cover ? { cover: s.cover } : {}),
  };
}
