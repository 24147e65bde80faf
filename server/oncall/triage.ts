/**
 * Who triages a new service request (issue 20): the person on AMS duty now, else on any other duty
 * now, while still a member of the board; nobody when no rota covers the moment. The request portal
 * and the plugins' ticket writer (requests by e-mail) both ask here, so every entry point assigns the
 * same person.
 */
import type { Kysely, Transaction } from 'kysely';
import * as cardRepo from '../cards/repo.ts';
import * as rules from '../domain/oncall.ts';
import type { Database } from '../infra/schema.ts';
import * as repo from './repo.ts';
import { rulesRota } from './service.ts';

const DAY_MS = 86_400_000;

export async function triagerOnDuty(
  db: Kysely<Database> | Transaction<Database>,
  boardId: string,
  at: Date,
): Promise<string | null> {
  const rows = await repo.listRotas(db, boardId);
  if (rows.length === 0) return null;
  const covers = await repo.covers(
    db,
    rows.map((r) => r.id),
    new Date(at.getTime() - DAY_MS),
    new Date(at.getTime() + DAY_MS),
  );
  const ordered = [...rows.filter((r) => r.duty === 'ams'), ...rows.filter((r) => r.duty !== 'ams')];
  for (const row of ordered) {
    const userId = rules.onDuty(rulesRota(row, covers), at)?.userId;
    if (userId && (await cardRepo.isMember(db, boardId, userId))) return userId;
  }
  return null;
}
