/**
 * Installation secrets at rest, at start-up (main.ts): seal the ones an earlier version stored
 * readable, and find the ones this server's key cannot open, i.e. sealed under another key (a
 * second instance or a restored backup without the same SECRET_KEY or DATA_DIR/secret.key).
 * Writes seal and the inbound path opens (service.ts, inbound.ts); this is only the catch-up.
 */
import type { Db } from '../infra/database.ts';
import { isSealed, SEALED_PREFIX, type SecretBox, SecretUnreadableError } from '../infra/secret-box.ts';
import * as repo from './repo.ts';

/**
 * Seals every secret still stored readable, in one transaction and one UPDATE; returns how many
 * installations changed. Idempotent: sealed values are left alone, and instances starting at the
 * same time wait on the row locks and then find nothing left to do.
 */
export function sealLegacySecrets(db: Db, box: SecretBox): Promise<number> {
  const seal = (value: string) => (isSealed(value) ? value : box.seal(value));
  return db.transaction().execute(async (trx) => {
    const rows = await repo.unsealedSecretsForUpdate(trx, SEALED_PREFIX);
    await repo.setSecrets(
      trx,
      rows.map((r) => ({
        id: r.id,
        secret: seal(r.secret),
        previous_secret: r.previous_secret === null ? null : seal(r.previous_secret),
      })),
    );
    return rows.length;
  });
}

/** Installations whose current secret, or previous one still in its grace period, this key cannot open. */
export async function installationsWithUnreadableSecrets(db: Db, box: SecretBox): Promise<string[]> {
  const opens = (value: string) => {
    try {
      box.open(value);
      return true;
    } catch (err) {
      if (err instanceof SecretUnreadableError) return false;
      throw err;
    }
  };
  const now = Date.now();
  return (await repo.allSecrets(db))
    .filter(
      (r) =>
        !opens(r.secret) ||
        (r.previous_secret !== null &&
          r.previous_secret_expires_at !== null &&
          r.previous_secret_expires_at.getTime() > now &&
          !opens(r.previous_secret)),
    )
    .map((r) => r.id);
}
