/** `npm run migrate`: apply pending migrations to DATABASE_URL (or the embedded database). */
import { loadConfig, loadDotEnv } from './config.ts';
import { createDb, migrateToLatest, startEmbeddedPostgres } from './infra/database.ts';

loadDotEnv();
const config = loadConfig();
const embedded = config.DATABASE_URL
  ? null
  : await startEmbeddedPostgres(config.DATA_DIR, config.EMBEDDED_PG_PORT);
const { db } = createDb(config.DATABASE_URL ?? embedded!.url, 2);
try {
  const applied = await migrateToLatest(db);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'migrations already current');
} finally {
  await db.destroy();
  await embedded?.stop();
}
