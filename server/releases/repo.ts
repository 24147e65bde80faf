/** SQL of releases: rows, scope, reported runs and verdicts. Kysely only; the rules are elsewhere. */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { CardType, Role } from '../../protocol/model.ts';
import { checksByEnvironment, type ReleaseSettings } from '../domain/release-settings.ts';
import type { Database, ReleaseRow } from '../infra/schema.ts';

type Q = Kysely<Database> | Transaction<Database>;

/** The board's path-to-live settings as saved, or null while it uses the defaults. */
export async function settings(db: Q, boardId: string): Promise<ReleaseSettings | null> {
  const row = await db
    .selectFrom('board_release_settings')
    .selectAll()
    .where('board_id', '=', boardId)
    .executeTakeFirst();
  if (!row) return null;
  const checks = (row.checks ?? {}) as Record<string, string[]>;
  return {
    environments: (row.environments as string[]).map((name) => ({ name, checks: checks[name] ?? [] })),
    approvers: row.approvers as Role[],
    readiness: row.readiness as ReleaseSettings['readiness'],
    firebreak: (row.firebreak as ReleaseSettings['firebreak']) ?? null,
  };
}

export async function saveSettings(db: Q, boardId: string, s: ReleaseSettings): Promise<void> {
  const values = {
    environments: JSON.stringify(s.environments.map((e) => e.name)),
    checks: JSON.stringify(checksByEnvironment(s.environments)),
    approvers: JSON.stringify(s.approvers),
    readiness: JSON.stringify(s.readiness),
    firebreak: s.firebreak ? JSON.stringify(s.firebreak) : null,
    updated_at: new Date(),
  };
  await db
    .insertInto('board_release_settings')
    .values({ board_id: boardId, ...values })
    .onConflict((oc) => oc.column('board_id').doUpdateSet(values))
    .execute();
}

export async function versionTaken(
  db: Q,
  boardId: string,
  version: string,
  exceptReleaseId?: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('releases')
    .select('id')
    .where('board_id', '=', boardId)
    .where((eb) => eb(eb.fn('lower', ['version']), '=', version.toLowerCase()))
    .$if(exceptReleaseId !== undefined, (qb) => qb.where('id', '!=', exceptReleaseId!))
    .executeTakeFirst();
  return row !== undefined;
}

export type NewReleaseRow = {
  board_id: string;
  version: string;
  tag: string | null;
  commit_sha: string | null;
  target_date: string | null;
  stream: string;
  notes: string;
  environments: string;
  firebreak: string | null;
  readiness: string;
  approvers: string;
  created_by: string | null;
  checks: string;
  user_actions: string;
  change_window: string;
};

export async function insertRelease(db: Q, values: NewReleaseRow): Promise<ReleaseRow> {
  return db.insertInto('releases').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function list(db: Q, boardId: string): Promise<ReleaseRow[]> {
  return db
    .selectFrom('releases')
    .selectAll()
    .where('board_id', '=', boardId)
    .orderBy('target_date', (ob) => ob.asc().nullsLast())
    .orderBy('created_at')
    .execute();
}

export async function find(db: Q, boardId: string, releaseId: string): Promise<ReleaseRow | undefined> {
  return db
    .selectFrom('releases')
    .selectAll()
    .where('board_id', '=', boardId)
    .where('id', '=', releaseId)
    .executeTakeFirst();
}

/** The release's row, locked until the transaction ends: every change of a release is decided under it. */
export async function lock(trx: Transaction<Database>, boardId: string, releaseId: string) {
  return trx
    .selectFrom('releases')
    .selectAll()
    .where('board_id', '=', boardId)
    .where('id', '=', releaseId)
    .forUpdate()
    .executeTakeFirst();
}

export type ReleaseChange = Partial<{
  state: string;
  reached: number;
  stop: string | null;
  firebreak: string | null;
  readiness: string;
  shadow_url: string | null;
  live_at: Date | null;
  version: string;
  tag: string | null;
  commit_sha: string | null;
  target_date: string | null;
  notes: string;
  user_actions: string;
  change_window: string;
  cancel_reason: string | null;
}>;

export async function update(db: Q, releaseId: string, change: ReleaseChange): Promise<ReleaseRow> {
  return db
    .updateTable('releases')
    .set((eb) => ({ ...change, revision: eb('revision', '+', 1), updated_at: new Date() }))
    .where('id', '=', releaseId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Card ids in each release's scope, oldest addition first. */
export async function scopes(db: Q, releaseIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(releaseIds.map((id) => [id, []]));
  if (releaseIds.length === 0) return out;
  const rows = await db
    .selectFrom('release_cards')
    .select(['release_id', 'card_id'])
    .where('release_id', 'in', releaseIds)
    .orderBy('added_at')
    .orderBy('card_id')
    .execute();
  for (const r of rows) out.get(r.release_id)?.push(r.card_id);
  return out;
}

/** Of these cards, the ones on the board and the release each already travels in (if any). */
export async function cardsOnBoard(db: Q, boardId: string, cardIds: string[]) {
  if (cardIds.length === 0) return [];
  return db
    .selectFrom('cards')
    .leftJoin('release_cards as rc', 'rc.card_id', 'cards.id')
    .select(['cards.id', 'rc.release_id'])
    .where('cards.board_id', '=', boardId)
    .where('cards.id', 'in', cardIds)
    .execute();
}

export async function addCards(db: Q, releaseId: string, cardIds: string[]): Promise<void> {
  if (cardIds.length === 0) return;
  await db
    .insertInto('release_cards')
    .values(cardIds.map((card_id) => ({ release_id: releaseId, card_id })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function removeCards(db: Q, releaseId: string, cardIds: string[]): Promise<void> {
  if (cardIds.length === 0) return;
  await db
    .deleteFrom('release_cards')
    .where('release_id', '=', releaseId)
    .where('card_id', 'in', cardIds)
    .execute();
}

/** Records a reported run; false when the same report was recorded before (a redelivery). */
export async function insertRun(
  db: Q,
  run: {
    release_id: string;
    environment: string;
    run_id: string;
    kind: string;
    outcome: string;
    url: string | null;
    reported_by: string | null;
    /** for a check: which of the environment's configured checks ran */
    check_name?: string | null;
    /** the reporter when it was no person (`plugin:<id>`) */
    reported_by_label?: string | null;
    environment_url?: string | null;
  },
): Promise<string | null> {
  const row = await db
    .insertInto('release_runs')
    .values(run)
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

/** A release's reported runs in the order they were recorded (or the one with `runRowId`), with who reported each. */
export async function runs(db: Q, releaseId: string, runRowId?: string) {
  return db
    .selectFrom('release_runs as rr')
    .leftJoin('users as u', 'u.id', 'rr.reported_by')
    .select([
      'rr.id',
      'rr.environment',
      'rr.kind',
      'rr.check_name',
      'rr.run_id',
      'rr.outcome',
      'rr.url',
      'rr.environment_url',
      'rr.reported_at',
      'rr.reported_by',
      'rr.reported_by_label',
      'u.name as reporter_name',
    ])
    .where('rr.release_id', '=', releaseId)
    .$if(runRowId !== undefined, (qb) => qb.where('rr.id', '=', runRowId!))
    .orderBy('rr.position')
    .execute();
}

export async function verdicts(db: Q, releaseIds: string[]) {
  if (releaseIds.length === 0) return [];
  return db
    .selectFrom('release_verdicts as v')
    .innerJoin('users as u', 'u.id', 'v.user_id')
    .select(['v.release_id', 'v.user_id', 'u.name', 'v.role', 'v.verdict', 'v.reason', 'v.created_at'])
    .where('v.release_id', 'in', releaseIds)
    .orderBy('v.created_at')
    .execute();
}

export async function insertVerdict(
  db: Q,
  v: { release_id: string; user_id: string; role: string; verdict: string; reason: string },
): Promise<void> {
  await db.insertInto('release_verdicts').values(v).execute();
}

/** Who worked on the release's cards (created or assigned) or reported its deployments. */
export async function contributors(db: Q, releaseId: string): Promise<Set<string>> {
  const cards = await db
    .selectFrom('release_cards as rc')
    .innerJoin('cards as c', 'c.id', 'rc.card_id')
    .select(['c.created_by', 'c.assignee_id'])
    .where('rc.release_id', '=', releaseId)
    .execute();
  const runs = await db
    .selectFrom('release_runs')
    .select('reported_by')
    .where('release_id', '=', releaseId)
    .where('kind', '=', 'deployment')
    .execute();
  const ids = new Set<string>();
  for (const c of cards) {
    if (c.created_by) ids.add(c.created_by);
    if (c.assignee_id) ids.add(c.assignee_id);
  }
  for (const r of runs) if (r.reported_by) ids.add(r.reported_by);
  return ids;
}

/** The defect raised for the release's stop in this environment, if it still exists. */
export async function defectFor(db: Q, releaseId: string, environment: string) {
  return db
    .selectFrom('release_defects as d')
    .innerJoin('cards as c', 'c.id', 'd.card_id')
    .select(['c.id', 'c.key'])
    .where('d.release_id', '=', releaseId)
    .where('d.environment', '=', environment)
    .executeTakeFirst();
}

export async function recordDefect(db: Q, releaseId: string, environment: string, cardId: string) {
  await db
    .insertInto('release_defects')
    .values({ release_id: releaseId, environment, card_id: cardId })
    .onConflict((oc) => oc.columns(['release_id', 'environment']).doUpdateSet({ card_id: cardId }))
    .execute();
}

/** What CI names a release by: its version, its git tag or the commit it was built from. */
export interface ReleaseRef {
  version?: string;
  tag?: string;
  commit?: string;
}

/**
 * The release still on its way (not live, not cancelled) that CI means by `ref`. The first of
 * version, tag and commit that names one decides: version case-insensitively; tag as the release's
 * tag, or, for a release planned without one, its version written as a tag ("v2.4.0" or "2.4.0" for
 * 2.4.0); commit equal, or one a prefix of the other (at least 7 hex digits, so a short SHA finds a
 * full one and the other way round). Several on one criterion: an exact tag or commit before a
 * looser match, then the most recently planned.
 */
export async function findByRef(db: Q, boardId: string, ref: ReleaseRef): Promise<ReleaseRow | undefined> {
  const open = () =>
    db
      .selectFrom('releases')
      .selectAll()
      .where('board_id', '=', boardId)
      .where('state', 'not in', ['live', 'cancelled']);
  const version = ref.version?.trim().toLowerCase();
  if (version) {
    const row = await open()
      .where((eb) => eb(eb.fn('lower', ['version']), '=', version))
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    if (row) return row;
  }
  const tag = ref.tag?.trim().replace(/^refs\/tags\//, '');
  if (tag) {
    const asVersion = [tag.toLowerCase(), tag.replace(/^v(?=\d)/i, '').toLowerCase()];
    const row = await open()
      .where((eb) =>
        eb.or([
          eb('tag', '=', tag),
          eb.and([eb('tag', 'is', null), eb(eb.fn('lower', ['version']), 'in', asVersion)]),
        ]),
      )
      .orderBy(sql`tag is null`)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    if (row) return row;
  }
  const commit = ref.commit?.trim().toLowerCase();
  if (commit && /^[0-9a-f]{7,64}$/.test(commit)) {
    // Both sides are hex only (checked here, and on the way in), so neither can carry a LIKE wildcard.
    return open()
      .where((eb) =>
        eb.or([eb('commit_sha', 'like', `${commit}%`), sql<boolean>`${commit} like commit_sha || '%'`]),
      )
      .orderBy(sql`commit_sha = ${commit}`, 'desc')
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
  }
  return undefined;
}

/** The named check results of a release, in the order they were recorded. */
export async function checkResults(db: Q, releaseId: string) {
  const rows = await db
    .selectFrom('release_runs')
    .select(['environment', 'check_name', 'outcome'])
    .where('release_id', '=', releaseId)
    .where('kind', '=', 'check')
    .where('check_name', 'is not', null)
    .orderBy('position')
    .execute();
  return rows.map((r) => ({
    environment: r.environment,
    check: r.check_name as string,
    outcome: r.outcome as 'success' | 'failure',
  }));
}

/** Key, title and type of the cards in a release's scope (for its notes). */
export async function scopeCards(db: Q, releaseId: string) {
  const rows = await db
    .selectFrom('release_cards as rc')
    .innerJoin('cards as c', 'c.id', 'rc.card_id')
    .select(['c.key', 'c.title', 'c.type'])
    .where('rc.release_id', '=', releaseId)
    .execute();
  return rows.map((r) => ({ ...r, type: r.type as CardType }));
}

/** The release a card travels in, if any, with its row locked (a card joining it is decided under it). */
export async function lockReleaseOfCard(trx: Transaction<Database>, boardId: string, cardId: string) {
  return trx
    .selectFrom('releases as r')
    .innerJoin('release_cards as rc', 'rc.release_id', 'r.id')
    .select(['r.id', 'r.state'])
    .where('r.board_id', '=', boardId)
    .where('rc.card_id', '=', cardId)
    .forUpdate('r')
    .executeTakeFirst();
}

export async function boardName(db: Q, boardId: string): Promise<string | undefined> {
  return (await db.selectFrom('boards').select('name').where('id', '=', boardId).executeTakeFirst())?.name;
}

/** Replaces the board's calendar feed token (only its hash is kept); the previous one stops working. */
export async function saveFeedToken(
  db: Q,
  row: { board_id: string; token_hash: string; prefix: string; created_by: string | null },
) {
  return db
    .insertInto('release_feed_tokens')
    .values(row)
    .onConflict((oc) =>
      oc.column('board_id').doUpdateSet({
        token_hash: row.token_hash,
        prefix: row.prefix,
        created_by: row.created_by,
        created_at: new Date(),
      }),
    )
    .returning(['prefix', 'created_at'])
    .executeTakeFirstOrThrow();
}

export async function feedTokenMatches(db: Q, boardId: string, tokenHash: string): Promise<boolean> {
  const row = await db
    .selectFrom('release_feed_tokens')
    .select('board_id')
    .where('board_id', '=', boardId)
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  return row !== undefined;
}

/** A card on the board, kept from deletion until the transaction ends (a link to it is on the way). */
export async function cardOnBoard(db: Q, boardId: string, cardId: string) {
  return db
    .selectFrom('cards')
    .select(['id', 'key'])
    .where('board_id', '=', boardId)
    .where('id', '=', cardId)
    .forKeyShare()
    .executeTakeFirst();
}
