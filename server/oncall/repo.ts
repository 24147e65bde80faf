/** SQL of on-call: rotas, covers, policies, escalations and pages, and the alert-noise report. Kysely only. */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { CoverRow, Database, EscalationRow, PolicyRow, RotaRow } from '../infra/schema.ts';

type Q = Kysely<Database> | Transaction<Database>;

export interface RotaValues {
  name: string;
  duty: string;
  rotation: boolean;
  members: string;
  pattern: string;
  start_date: string;
}

export async function listRotas(db: Q, boardId: string): Promise<RotaRow[]> {
  return db
    .selectFrom('oncall_rotas')
    .selectAll()
    .where('board_id', '=', boardId)
    .orderBy('created_at')
    .execute();
}

export async function findRota(db: Q, boardId: string, rotaId: string): Promise<RotaRow | undefined> {
  return db
    .selectFrom('oncall_rotas')
    .selectAll()
    .where('board_id', '=', boardId)
    .where('id', '=', rotaId)
    .executeTakeFirst();
}

export async function insertRota(db: Q, boardId: string, values: RotaValues): Promise<RotaRow> {
  return db
    .insertInto('oncall_rotas')
    .values({ board_id: boardId, ...values })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateRota(db: Q, rotaId: string, values: RotaValues): Promise<RotaRow> {
  return db
    .updateTable('oncall_rotas')
    .set((eb) => ({ ...values, revision: eb('revision', '+', 1) }))
    .where('id', '=', rotaId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteRota(db: Q, rotaId: string): Promise<void> {
  await db.deleteFrom('oncall_rotas').where('id', '=', rotaId).execute();
}

/** Overrides and swaps of these rotas that touch [from, to), oldest first (a later one wins). */
export async function covers(db: Q, rotaIds: string[], from: Date, to: Date): Promise<CoverRow[]> {
  if (rotaIds.length === 0) return [];
  return db
    .selectFrom('oncall_covers')
    .selectAll()
    .where('rota_id', 'in', rotaIds)
    .where('ends_at', '>', from)
    .where('starts_at', '<', to)
    .orderBy('created_at')
    .orderBy('id')
    .limit(2000)
    .execute();
}

export async function insertCover(
  db: Q,
  values: {
    rota_id: string;
    kind: string;
    user_id: string;
    with_user_id: string | null;
    starts_at: Date;
    ends_at: Date;
    created_by: string | null;
  },
): Promise<CoverRow> {
  return db.insertInto('oncall_covers').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function deleteCover(db: Q, rotaId: string, coverId: string): Promise<boolean> {
  const r = await db
    .deleteFrom('oncall_covers')
    .where('rota_id', '=', rotaId)
    .where('id', '=', coverId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Of these users, the board's members (a rota names members only). */
export async function boardMembers(db: Q, boardId: string, userIds: string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('board_members')
    .select('user_id')
    .where('board_id', '=', boardId)
    .where('user_id', 'in', userIds)
    .execute();
  return new Set(rows.map((r) => r.user_id));
}

export async function names(db: Q, userIds: string[]): Promise<Map<string, string>> {
  if (userIds.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'name']).where('id', 'in', userIds).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

// ---- Policies

export interface PolicyValues {
  name: string;
  priorities: string;
  steps: string;
}

export async function listPolicies(db: Q, boardId: string): Promise<PolicyRow[]> {
  return db
    .selectFrom('oncall_policies')
    .selectAll()
    .where('board_id', '=', boardId)
    .orderBy('created_at')
    .execute();
}

export async function findPolicy(db: Q, boardId: string, policyId: string): Promise<PolicyRow | undefined> {
  return db
    .selectFrom('oncall_policies')
    .selectAll()
    .where('board_id', '=', boardId)
    .where('id', '=', policyId)
    .executeTakeFirst();
}

/** The board's oldest policy started by incidents of this priority. */
export async function policyFor(db: Q, boardId: string, priority: string): Promise<PolicyRow | undefined> {
  return db
    .selectFrom('oncall_policies')
    .selectAll()
    .where('board_id', '=', boardId)
    .where(sql<boolean>`priorities ? ${priority}`)
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
}

export async function insertPolicy(db: Q, boardId: string, values: PolicyValues): Promise<PolicyRow> {
  return db
    .insertInto('oncall_policies')
    .values({ board_id: boardId, ...values })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updatePolicy(db: Q, policyId: string, values: PolicyValues): Promise<PolicyRow> {
  return db
    .updateTable('oncall_policies')
    .set(values)
    .where('id', '=', policyId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deletePolicy(db: Q, policyId: string): Promise<void> {
  await db.deleteFrom('oncall_policies').where('id', '=', policyId).execute();
}

// ---- Escalations

export async function cardFacts(db: Q, cardId: string) {
  return db
    .selectFrom('cards')
    .select(['id', 'board_id', 'key', 'title', 'type', 'stream', 'priority', 'done_at'])
    .where('id', '=', cardId)
    .executeTakeFirst();
}

/**
 * Incidents raised since `since` in the maintenance stream, still open, of a priority some policy of
 * their board escalates, without an escalation: ones whose start was lost (the server stopped between
 * the card's commit and its event's handling). Bounded by `limit`.
 */
export async function unescalated(db: Q, since: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('cards as c')
    .select('c.id')
    .where('c.type', '=', 'incident')
    .where('c.stream', '=', 'maintenance')
    .where('c.done_at', 'is', null)
    .where('c.created_at', '>=', since)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('oncall_policies as p')
          .select('p.id')
          .whereRef('p.board_id', '=', 'c.board_id')
          // a policy escalates incidents raised after it was made, not older ones
          .whereRef('p.created_at', '<=', 'c.created_at')
          .where(sql<boolean>`p.priorities ? c.priority`),
      ),
    )
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('oncall_escalations as e').select('e.id').whereRef('e.card_id', '=', 'c.id'))),
    )
    .orderBy('c.created_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** Starts an escalation unless the card already has one; null when it had. */
export async function insertEscalation(
  db: Q,
  values: {
    board_id: string;
    card_id: string;
    policy_id: string;
    steps: string;
    triggered_at: Date;
    next_at: Date;
  },
): Promise<EscalationRow | null> {
  const row = await db
    .insertInto('oncall_escalations')
    .values(values)
    .onConflict((oc) => oc.column('card_id').doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ?? null;
}

/**
 * Escalations whose next step is due, locked; rows another instance holds are skipped, so each
 * step is taken by one scheduler. Reads the partial index on next_at only.
 */
export async function lockDue(
  trx: Transaction<Database>,
  now: Date,
  limit: number,
): Promise<EscalationRow[]> {
  return trx
    .selectFrom('oncall_escalations')
    .selectAll()
    .where('next_at', 'is not', null)
    .where('next_at', '<=', now)
    .orderBy('next_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

export async function lockEscalation(
  trx: Transaction<Database>,
  boardId: string,
  cardId: string,
): Promise<EscalationRow | undefined> {
  return trx
    .selectFrom('oncall_escalations')
    .selectAll()
    .where('board_id', '=', boardId)
    .where('card_id', '=', cardId)
    .forUpdate()
    .executeTakeFirst();
}

export async function findEscalation(
  db: Q,
  boardId: string,
  cardId: string,
): Promise<EscalationRow | undefined> {
  return db
    .selectFrom('oncall_escalations')
    .selectAll()
    .where('board_id', '=', boardId)
    .where('card_id', '=', cardId)
    .executeTakeFirst();
}

export async function advance(db: Q, id: string, nextStep: number, nextAt: Date | null): Promise<void> {
  await db
    .updateTable('oncall_escalations')
    .set({ next_step: nextStep, next_at: nextAt })
    .where('id', '=', id)
    .execute();
}

export async function acknowledge(db: Q, id: string, userId: string | null, at: Date): Promise<void> {
  await db
    .updateTable('oncall_escalations')
    .set({ acked_at: at, acked_by: userId, next_at: null })
    .where('id', '=', id)
    .execute();
}

/** Records a step's page; false when that step was already paged (then it must not page again). */
export async function insertPage(
  db: Q,
  escalationId: string,
  step: number,
  userId: string | null,
): Promise<boolean> {
  const row = await db
    .insertInto('oncall_pages')
    .values({ escalation_id: escalationId, step, user_id: userId })
    .onConflict((oc) => oc.columns(['escalation_id', 'step']).doNothing())
    .returning('step')
    .executeTakeFirst();
  return row !== undefined;
}

export async function pages(db: Q, escalationId: string) {
  return db
    .selectFrom('oncall_pages as p')
    .leftJoin('users as u', 'u.id', 'p.user_id')
    .select(['p.step', 'p.user_id', 'u.name', 'p.paged_at'])
    .where('p.escalation_id', '=', escalationId)
    .orderBy('p.step')
    .execute();
}

// ---- Alert noise

/**
 * Per plugin installation: its tickets whose cards were closed since `since`, and how many of those
 * saw no human action (no event on the card by a person: comment, move, edit or acknowledgement).
 * Bounded by the board's installations; the card's events are read through their card index.
 */
export async function alertNoise(db: Q, boardId: string, since: Date) {
  const { rows } = await sql<{
    installation_id: string;
    plugin_id: string;
    name: string;
    closed: number;
    no_human_action: number;
  }>`
    select i.id as installation_id, i.plugin_id, i.name,
      count(c.id)::int as closed,
      count(c.id) filter (where not exists (
        select 1 from board_events e
        where e.card_id = c.id and e.board_id = c.board_id and e.actor_id is not null
          and e.type in ('card.moved', 'card.updated', 'card.commented', 'oncall.acknowledged')
      ))::int as no_human_action
    from plugin_installations i
    left join plugin_tickets t on t.installation_id = i.id and t.board_id = i.board_id
    left join cards c on c.id = t.card_id and c.done_at is not null and c.done_at >= ${since}
    where i.board_id = ${boardId}
    group by i.id, i.plugin_id, i.name
    order by i.name, i.id
    limit 200`.execute(db);
  return rows;
}
