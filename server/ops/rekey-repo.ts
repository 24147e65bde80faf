/** SQL for the secret-key rotation (rekey.ts): every installation's secrets, locked until the transaction ends. */
import type { Transaction } from 'kysely';
import type { Database } from '../infra/schema.ts';

export function allSecretsForUpdate(trx: Transaction<Database>) {
  return trx
    .selectFrom('plugin_installations')
    .select(['id', 'secret', 'previous_secret'])
    .orderBy('id')
    .forUpdate()
    .execute();
}
