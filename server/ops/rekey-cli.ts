/**
 * `NEW_SECRET_KEY=<new key> npx tsx server/ops/rekey-cli.ts`: rotate the server key that seals plugin
 * secrets. Reads the current key as the server does (SECRET_KEY, else DATA_DIR/secret.key), re-seals
 * every secret under NEW_SECRET_KEY (rekey.ts), and says what to do next. Stop every instance first:
 * one still running with the old key cannot open secrets sealed under the new one (its webhooks
 * answer 503) until it restarts with the new key. RUNBOOK.md, "Secret-key rotation".
 */
import { loadConfig, loadDotEnv } from '../config.ts';
import { createDb } from '../infra/database.ts';
import { parseSecretKey, SecretBox } from '../infra/secret-box.ts';
import { loadServerKey } from '../infra/secret-key.ts';
import { withDatabaseUrl } from './backup-cli.ts';
import { rekeySecrets } from './rekey.ts';

async function main() {
  loadDotEnv();
  const config = loadConfig();
  const text = process.env.NEW_SECRET_KEY;
  if (!text) {
    console.error(
      'NEW_SECRET_KEY is not set: generate one (openssl rand -base64 32) and store it safely first.',
    );
    process.exit(2);
  }
  let to: SecretBox;
  try {
    to = new SecretBox(parseSecretKey(text));
  } catch (err) {
    console.error(`NEW_SECRET_KEY: ${(err as Error).message}`);
    process.exit(2);
  }
  const current = loadServerKey(config);
  const count = await withDatabaseUrl(async (url) => {
    const { db } = createDb(url, 1);
    try {
      return await rekeySecrets(db, current.box, to);
    } finally {
      await db.destroy();
    }
  });
  console.log(
    `re-sealed ${count} plugin installation(s) under the new key. Now give every instance the new key ` +
      `(SECRET_KEY, or write it into ${current.source === 'SECRET_KEY' ? 'the key file' : current.source}) ` +
      'and start them; keep the old key with the backups made before today.',
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
