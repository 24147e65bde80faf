/** SQL for users, sessions and API tokens. */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../infra/database.ts';

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export function findUserByEmail(db: Db, email: string) {
  return db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
}

export function countUsers(db: Db) {
  return db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));
}

/** Inserts the first admin only while no user exists; concurrent set-ups cannot both win. */
export async function insertFirstAdmin(db: Db, email: string, name: string, passwordHash: string) {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('blendboard:first-admin'))`.execute(trx);
    const exists = await trx.selectFrom('users').select('id').limit(1).executeTakeFirst();
    if (exists) return null;
    return trx
      .insertInto('users')
      .values({ email: email.toLowerCase(), name, password_hash: passwordHash, is_admin: true })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

export function insertUser(
  db: Db,
  v: { email: string; name: string; passwordHash: string; isAdmin?: boolean },
) {
  return db
    .insertInto('users')
    .values({
      email: v.email.toLowerCase(),
      name: v.name,
      password_hash: v.passwordHash,
      is_admin: v.isAdmin ?? false,
    })
    .onConflict((oc) => oc.column('email').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function insertSession(db: Db, idHash: string, userId: string, csrfToken: string, expiresAt: Date) {
  return db
    .insertInto('sessions')
    .values({ id_hash: idHash, user_id: userId, csrf_token: csrfToken, expires_at: expiresAt })
    .execute();
}

export function findSessionUser(db: Db, idHash: string) {
  return db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['u.id', 'u.email', 'u.name', 'u.is_admin', 's.csrf_token', 's.expires_at'])
    .where('s.id_hash', '=', idHash)
    .where('s.expires_at', '>', new Date())
    .executeTakeFirst();
}

export function findUserById(db: Db, id: string) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Sets a person's password and ends their sessions (all but `keepSession`), in one transaction.
 * With `was` (the hash the caller proved they know the password of), only while it is still the
 * password. Returns the ended sessions' ids, or null when no account was changed (none with that id,
 * or the password changed in between).
 */
export async function setPassword(
  db: Db,
  userId: string,
  passwordHash: string,
  guard: { was?: string; keepSession?: string } = {},
): Promise<string[] | null> {
  return db.transaction().execute(async (trx) => {
    let update = trx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId);
    if (guard.was !== undefined) update = update.where('password_hash', '=', guard.was);
    if ((await update.executeTakeFirst()).numUpdatedRows === 0n) return null;
    let ended = trx.deleteFrom('sessions').where('user_id', '=', userId);
    if (guard.keepSession !== undefined) ended = ended.where('id_hash', '<>', guard.keepSession);
    return (await ended.returning('id_hash').execute()).map((r) => r.id_hash);
  });
}

export function deleteSession(db: Db, idHash: string) {
  return db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

export function findTokenUser(db: Db, tokenHash: string) {
  return db
    .updateTable('api_tokens as t')
    .set({ last_used_at: new Date() })
    .from('users as u')
    .whereRef('u.id', '=', 't.user_id')
    .where('t.token_hash', '=', tokenHash)
    .where('t.revoked_at', 'is', null)
    .returning(['u.id', 'u.email', 'u.name', 'u.is_admin', 't.id as token_id'])
    .executeTakeFirst();
}

/** The token's user while the token is not revoked; unlike a sign-in, not counted as a use. */
export function findTokenUserById(db: Db, tokenId: string) {
  return db
    .selectFrom('api_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select(['u.id', 'u.email', 'u.name', 'u.is_admin'])
    .where('t.id', '=', tokenId)
    .where('t.revoked_at', 'is', null)
    .executeTakeFirst();
}

export function insertToken(db: Db, userId: string, name: string, tokenHash: string, prefix: string) {
  return db
    .insertInto('api_tokens')
    .values({ user_id: userId, name, token_hash: tokenHash, prefix })
    .returning(['id', 'name', 'prefix', 'created_at', 'last_used_at', 'revoked_at'])
    .executeTakeFirstOrThrow();
}

export function listTokens(db: Db, userId: string) {
  return db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'prefix', 'created_at', 'last_used_at', 'revoked_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .execute();
}

export function revokeToken(db: Db, userId: string, tokenId: string) {
  return db
    .updateTable('api_tokens')
    .set({ revoked_at: new Date() })
    .where('id', '=', tokenId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
}
