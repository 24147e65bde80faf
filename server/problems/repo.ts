/**
 * SQL for problems and known errors, card links made by hand, and major incidents: Kysely only, no
 * rules. Links live in plugin_ticket_links, the table plugins have always linked cards in.
 */
import { type Kysely, sql } from 'kysely';
import type { Database, MajorIncidentRow, ProblemRecordRow } from '../infra/schema.ts';

type Q = Kysely<Database>;

/** A card's links either way, with the other card and where it is; bounded. */
export function linksOf(db: Q, cardId: string, limit = 200) {
  return db
    .selectFrom('plugin_ticket_links as l')
    .innerJoin('cards as other', (j) =>
      j.on(
        'other.id',
        '=',
        sql<string>`case when l.card_id = ${cardId}::uuid then l.linked_card_id else l.card_id end`,
      ),
    )
    .leftJoin('board_columns as col', 'col.id', 'other.column_id')
    .where((eb) => eb.or([eb('l.card_id', '=', cardId), eb('l.linked_card_id', '=', cardId)]))
    .select([
      'l.card_id as from_id',
      'l.kind',
      'l.created_by_label',
      'l.created_at',
      'other.id',
      'other.key',
      'other.title',
      'other.type',
      'other.priority',
      'other.done_at',
      'col.name as column_name',
    ])
    .orderBy('l.created_at')
    .limit(limit)
    .execute();
}

/** The ids of the cards linked with a card, either way. */
export async function linkedIds(db: Q, cardId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('plugin_ticket_links')
    .select(sql<string>`case when card_id = ${cardId}::uuid then linked_card_id else card_id end`.as('id'))
    .where((eb) => eb.or([eb('card_id', '=', cardId), eb('linked_card_id', '=', cardId)]))
    .execute();
  return [...new Set(rows.map((r) => r.id))];
}

/** Takes a link away; false when it was not there. */
export async function deleteLink(db: Q, from: string, to: string, kind: string): Promise<boolean> {
  const r = await db
    .deleteFrom('plugin_ticket_links')
    .where('card_id', '=', from)
    .where('linked_card_id', '=', to)
    .where('kind', '=', kind)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

// ---- problem records ---------------------------------------------------------------------------

export function findProblemRecord(db: Q, cardId: string): Promise<ProblemRecordRow | undefined> {
  return db.selectFrom('problem_records').selectAll().where('card_id', '=', cardId).executeTakeFirst();
}

export function saveProblemRecord(
  db: Q,
  row: Pick<ProblemRecordRow, 'card_id' | 'board_id' | 'root_cause' | 'workaround' | 'signature' | 'status'>,
): Promise<ProblemRecordRow> {
  const now = new Date();
  return db
    .insertInto('problem_records')
    .values({ ...row, updated_at: now })
    .onConflict((oc) =>
      oc.column('card_id').doUpdateSet({
        root_cause: row.root_cause,
        workaround: row.workaround,
        signature: row.signature,
        status: row.status,
        updated_at: now,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

const knownErrorColumns = [
  'c.id',
  'c.key',
  'c.title',
  'c.priority',
  'c.source',
  'p.root_cause',
  'p.workaround',
  'p.signature',
  'p.updated_at',
] as const;

/**
 * The board's known errors matching a tsquery (built by domain/known-errors.ts `searchQuery`) over
 * title, root cause, workaround and signature, best match first; newest first without a query.
 * A board's known errors are few, so the text is searched as it is read (no index to keep).
 */
export function searchKnownErrors(db: Q, boardId: string, tsquery: string | null, limit: number) {
  const document = sql`to_tsvector('simple', c.title || ' ' || p.root_cause || ' ' || p.workaround || ' ' || p.signature)`;
  let q = db
    .selectFrom('problem_records as p')
    .innerJoin('cards as c', 'c.id', 'p.card_id')
    .select(knownErrorColumns)
    .where('p.board_id', '=', boardId)
    .where('p.status', '=', 'known_error');
  if (tsquery !== null)
    q = q
      .where(sql<boolean>`${document} @@ to_tsquery('simple', ${tsquery})`)
      .orderBy(sql`ts_rank(${document}, to_tsquery('simple', ${tsquery}))`, 'desc');
  return q.orderBy('p.updated_at', 'desc').limit(limit).execute();
}

/** Every known error of a board, for matching an incident against (bounded). */
export function knownErrorsOf(db: Q, boardId: string, limit = 500) {
  return db
    .selectFrom('problem_records as p')
    .innerJoin('cards as c', 'c.id', 'p.card_id')
    .select(knownErrorColumns)
    .where('p.board_id', '=', boardId)
    .where('p.status', '=', 'known_error')
    .orderBy('p.updated_at', 'desc')
    .limit(limit)
    .execute();
}

export function problemRecordsOf(db: Q, cardIds: string[]) {
  if (cardIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('problem_records as p')
    .innerJoin('cards as c', 'c.id', 'p.card_id')
    .select(['c.id', 'c.key', 'c.title', 'c.type', 'p.root_cause', 'p.workaround', 'p.status'])
    .where('p.card_id', 'in', cardIds)
    .execute();
}

// ---- major incidents ---------------------------------------------------------------------------

export function findMajorIncident(db: Q, cardId: string): Promise<MajorIncidentRow | undefined> {
  return db.selectFrom('major_incidents').selectAll().where('card_id', '=', cardId).executeTakeFirst();
}

export function saveMajorIncident(
  db: Q,
  row: Omit<MajorIncidentRow, 'updated_at'>,
): Promise<MajorIncidentRow> {
  const now = new Date();
  const { card_id: _id, board_id: _board, ...set } = row;
  return db
    .insertInto('major_incidents')
    .values({ ...row, updated_at: now })
    .onConflict((oc) => oc.column('card_id').doUpdateSet({ ...set, updated_at: now }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Column names of a board, for the timeline's "moved to In progress". */
export async function columnNames(db: Q, boardId: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('board_columns')
    .select(['id', 'name'])
    .where('board_id', '=', boardId)
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

export function cardKeys(db: Q, boardId: string, cardIds: string[]) {
  if (cardIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('cards')
    .select(['id', 'key'])
    .where('board_id', '=', boardId)
    .where('id', 'in', cardIds)
    .execute();
}
