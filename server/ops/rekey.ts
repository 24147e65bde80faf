/**
 * Secret-key rotation: re-seal every plugin installation secret (and a previous secret still in its
 * grace period) from the old server key to a new one, in one transaction, so the database is never
 * half under one key. Idempotent: a value that already opens with the new key is left as it is, so a
 * run repeated after a crash finishes the job. A value that opens with neither key stops the whole
 * rotation, naming the installations, and changes nothing. Notification targets' secrets and
 * routing keys go along in the same transaction (the count returned is of installations).
 */
import type { Db } from '../infra/database.ts';
import { type SecretBox, SecretUnreadableError } from '../infra/secret-box.ts';
import { allTargetSecretsForUpdate, setTargetSecrets } from '../notify/repo.ts';
import { setSecrets } from '../plugin-host/repo.ts';
import { allSecretsForUpdate } from './rekey-repo.ts';

export class RekeyError extends Error {
  override name = 'RekeyError';
}

const opens = (box: SecretBox, value: string) => {
  try {
    box.open(value);
    return true;
  } catch (err) {
    if (err instanceof SecretUnreadableError) return false;
    throw err;
  }
};

/** Returns how many installations were re-sealed. */
export function rekeySecrets(db: Db, from: SecretBox, to: SecretBox): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const rows = await allSecretsForUpdate(trx);
    const unreadable: string[] = [];
    const reseal = (id: string, value: string): string => {
      if (opens(to, value) && value.startsWith('v1:')) return value; // done by an earlier run
      if (!opens(from, value)) {
        unreadable.push(id);
        return value;
      }
      return to.seal(from.open(value));
    };
    const changed = rows
      .map((r) => ({
        id: r.id,
        secret: reseal(r.id, r.secret),
        previous_secret: r.previous_secret === null ? null : reseal(r.id, r.previous_secret),
        before: r,
      }))
      .filter((r) => r.secret !== r.before.secret || r.previous_secret !== r.before.previous_secret);
    // Notification targets' signing secrets and routing keys are sealed under the same key.
    const targets = (await allTargetSecretsForUpdate(trx))
      .map((r) => ({
        id: r.id,
        secret: reseal(`notification target ${r.id}`, r.secret),
        routing_key: r.routing_key === null ? null : reseal(`notification target ${r.id}`, r.routing_key),
        before: r,
      }))
      .filter((r) => r.secret !== r.before.secret || r.routing_key !== r.before.routing_key);
    if (unreadable.length > 0) {
      throw new RekeyError(
        `${unreadable.length} installation secret(s) open with neither the old nor the new key: ` +
          `${[...new Set(unreadable)].join(', ')}. Nothing was changed. Rotate those installations' secrets ` +
          'from the Integrations page (their tools need the new secret), or find the key they were sealed with.',
      );
    }
    await setSecrets(
      trx,
      changed.map(({ id, secret, previous_secret }) => ({ id, secret, previous_secret })),
    );
    await setTargetSecrets(
      trx,
      targets.map(({ id, secret, routing_key }) => ({ id, secret, routing_key })),
    );
    return changed.length;
  });
}
