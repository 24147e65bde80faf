/**
 * SQL of warranty requirements: the requirements of a release, their measurements, the warranty's
 * revision row (the lock) and the linked outages hyper-care measured. Kysely only; the rules are in
 * domain/warranty.ts.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import { OUTAGE_LABELS } from '../domain/release-outcomes.ts';
import type { Database, WarrantyMeasurementRow, WarrantyRequirementRow } from '../infra/schema.ts';

type Q = Kysely<Database> | Transaction<Database>;

const OUTAGE = sql`${[...OUTAGE_LABELS] as string[]}::text[]`;

/** Takes the release's warranty lock and bumps its revision: changes of one warranty commit one at a time. */
export async function bump(trx: Transaction<Database>, releaseId: string): Promise<number> {
  const row = await trx
    .insertInto('release_warranties')
    .values({ release_id: releaseId, revision: 1 })
    .onConflict((oc) =>
      oc.column('release_id').doUpdateSet((eb) => ({ revision: eb('release_warranties.revision', '+', 1) })),
    )
    .returning('revision')
    .executeTakeFirstOrThrow();
  return row.revision;
}

export async function revision(db: Q, releaseId: string): Promise<number> {
  const row = await db
    .selectFrom('release_warranties')
    .select('revision')
    .where('release_id', '=', releaseId)
    .executeTakeFirst();
  return row?.revision ?? 0;
}

export async function requirements(db: Q, releaseId: string): Promise<WarrantyRequirementRow[]> {
  return db
    .selectFrom('warranty_requirements')
    .selectAll()
    .where('release_id', '=', releaseId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function requirement(db: Q, releaseId: string, id: string) {
  return db
    .selectFrom('warranty_requirements')
    .selectAll()
    .where('release_id', '=', releaseId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function measurements(db: Q, requirementIds: string[]): Promise<WarrantyMeasurementRow[]> {
  if (requirementIds.length === 0) return [];
  return db
    .selectFrom('warranty_measurements')
    .selectAll()
    .where('requirement_id', 'in', requirementIds)
    .orderBy('id', 'desc')
    .execute();
}

export interface RequirementValues {
  category: string;
  statement: string;
  comparison: string;
  target_value: number;
  unit: string;
}

export async function countRequirements(db: Q, releaseId: string): Promise<number> {
  const row = await db
    .selectFrom('warranty_requirements')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('release_id', '=', releaseId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertRequirement(db: Q, releaseId: string, v: RequirementValues): Promise<void> {
  await db
    .insertInto('warranty_requirements')
    .values({ release_id: releaseId, ...v })
    .execute();
}

export async function updateRequirement(db: Q, id: string, v: RequirementValues): Promise<void> {
  await db.updateTable('warranty_requirements').set(v).where('id', '=', id).execute();
}

export async function deleteRequirement(db: Q, id: string): Promise<void> {
  await db.deleteFrom('warranty_requirements').where('id', '=', id).execute();
}

export async function insertMeasurement(
  db: Q,
  m: {
    requirement_id: string;
    value: number;
    measured_at: Date;
    by_user_id: string | null;
    by_label: string;
    note: string;
  },
): Promise<void> {
  await db.insertInto('warranty_measurements').values(m).execute();
}

/**
 * The seconds each linked outage incident (labelled as the release outcomes count downtime) was down
 * within [from, until]: from its creation, or the window's start, to its resolution or `until`.
 */
export async function outageSeconds(db: Q, releaseId: string, from: Date, until: Date): Promise<number[]> {
  const rows = await db
    .selectFrom('release_cards as rc')
    .innerJoin('cards as c', 'c.id', 'rc.card_id')
    .select(
      sql<number>`extract(epoch from least(coalesce(c.done_at, ${until}::timestamptz), ${until}::timestamptz)
                  - greatest(c.created_at, ${from}::timestamptz))::float8`.as('seconds'),
    )
    .where('rc.release_id', '=', releaseId)
    .where('c.type', '=', 'incident')
    .where(sql<boolean>`lower(c.labels::text)::text[] && ${OUTAGE}`)
    .where('c.created_at', '<', until)
    .where(sql<boolean>`coalesce(c.done_at, ${until}::timestamptz) > ${from}::timestamptz`)
    .execute();
  return rows.map((r) => Math.max(0, Number(r.seconds)));
}

/**
 * The release's state, its row locked until the transaction ends, so a requirement cannot change
 * while the go-live that settles it commits. (Read here rather than through releases/repo.ts:
 * releases/ already imports hyper-care, and the folders must not import each other.)
 */
export async function lockReleaseState(
  trx: Transaction<Database>,
  boardId: string,
  releaseId: string,
): Promise<{ state: string } | undefined> {
  return trx
    .selectFrom('releases')
    .select('state')
    .where('board_id', '=', boardId)
    .where('id', '=', releaseId)
    .forUpdate()
    .executeTakeFirst();
}
