/** Start-up only: configuration, database (embedded unless DATABASE_URL), migrations, listen, shutdown. */
import { buildApp } from './app.ts';
import { type Config, ConfigError, loadConfig, loadDotEnv } from './config.ts';
import { createDb, type EmbeddedDatabase, migrateToLatest, startEmbeddedPostgres } from './infra/database.ts';

async function main() {
  loadDotEnv();
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }

  let embedded: EmbeddedDatabase | null = null;
  let url = config.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedPostgres(config.DATA_DIR, config.EMBEDDED_PG_PORT);
    url = embedded.url;
  }
  const { db, pool } = createDb(url, 20);
  await migrateToLatest(db);
  const app = await buildApp({ config, db, pool });
  const log = app.http.log;
  if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
    if (await app.services.auth.ensureAdmin(config.ADMIN_EMAIL, config.ADMIN_PASSWORD)) {
      log.info({ email: config.ADMIN_EMAIL }, 'created the first administrator from ADMIN_EMAIL');
    }
  }
  await app.http.listen({ port: config.PORT, host: config.HOST });
  log.info({ embeddedDatabase: embedded !== null }, `Blendboard is up on http://localhost:${config.PORT}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: no new connections, finishing requests');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      await app.http.close(); // stops accepting, waits for in-flight requests, closes sockets
      await db.destroy();
      await embedded?.stop();
      log.info('stopped cleanly');
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
