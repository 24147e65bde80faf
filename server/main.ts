/**
 * Start-up only: configuration, the server key (SECRET_KEY or DATA_DIR/secret.key), database
 * (embedded unless DATABASE_URL), migrations, sealing secrets stored readable, listen, shutdown.
 */
import { buildApp } from './app.ts';
import { type Config, ConfigError, loadConfig, loadDotEnv } from './config.ts';
import {
  createDb,
  type EmbeddedDatabase,
  leaveShutdownSignalsToTheServer,
  migrateToLatest,
  openConnections,
  startEmbeddedPostgres,
} from './infra/database.ts';
import { loadServerKey } from './infra/secret-key.ts';
import { installationsWithUnreadableSecrets, sealLegacySecrets } from './plugin-host/secrets-at-rest.ts';

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

  // Before the database: a missing or damaged key stops start-up before anything else runs.
  const serverKey = loadServerKey(config);

  let embedded: EmbeddedDatabase | null = null;
  let url = config.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedPostgres(config.DATA_DIR, config.EMBEDDED_PG_PORT);
    url = embedded.url;
  }
  const { db, pool } = createDb(url, config.DATABASE_POOL_SIZE, { keepOpen: true });
  await migrateToLatest(db);
  await openConnections(pool);
  const app = await buildApp({ config, db, pool, secrets: serverKey.box });
  const log = app.http.log;
  if (serverKey.created) {
    log.warn(
      { keyFile: serverKey.source },
      'created the secret key that seals plugin secrets: back it up with the database, and give every ' +
        'other instance on this database the same key (SECRET_KEY or this file)',
    );
  } else {
    log.info(
      { secretKey: serverKey.source },
      'plugin secrets are sealed with the key from SECRET_KEY or the key file',
    );
  }
  const sealed = await sealLegacySecrets(db, serverKey.box);
  log.info({ sealed }, `sealed ${sealed} plugin installation secret(s) an earlier version stored readable`);
  const unreadable = await installationsWithUnreadableSecrets(db, serverKey.box);
  if (unreadable.length > 0) {
    log.error(
      { installations: unreadable, secretKey: serverKey.source },
      `${unreadable.length} plugin installation secret(s) do not open with this server's key: they were ` +
        'sealed under another one. Their webhooks answer 503 until this server gets that key (the same ' +
        'SECRET_KEY or DATA_DIR/secret.key as the instance or backup they come from) or the secrets are rotated',
    );
  }
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
  if (embedded) leaveShutdownSignalsToTheServer();
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
