/**
 * `npm run backup -- <file>` and `npm run restore -- <file>`: a logical backup of the database with
 * PostgreSQL's own pg_dump / pg_restore (custom format), against DATABASE_URL or the embedded
 * database (started here if the app is not running). Restore replaces the contents: stop the app first.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, loadDotEnv } from '../config.ts';
import { startEmbeddedPostgres } from '../infra/database.ts';

function requireTool(name: string) {
  try {
    execFileSync(name, ['--version'], { stdio: 'ignore' });
  } catch {
    console.error(
      `${name} is not installed: install PostgreSQL's client tools (Debian: apt-get install postgresql-client).`,
    );
    process.exit(2);
  }
}

export async function withDatabaseUrl<T>(work: (url: string) => Promise<T> | T): Promise<T> {
  loadDotEnv();
  const config = loadConfig();
  if (config.DATABASE_URL) return work(config.DATABASE_URL);
  const pidFile = path.resolve(config.DATA_DIR, 'postgres', 'postmaster.pid');
  if (existsSync(pidFile)) {
    // The app (and so its embedded PostgreSQL) is running: use it as it is.
    return work(`postgres://postgres:postgres@127.0.0.1:${config.EMBEDDED_PG_PORT}/blendboard`);
  }
  const embedded = await startEmbeddedPostgres(config.DATA_DIR, config.EMBEDDED_PG_PORT);
  try {
    return await work(embedded.url);
  } finally {
    await embedded.stop();
  }
}

async function main() {
  const [command, file] = process.argv.slice(2);
  if ((command !== 'backup' && command !== 'restore') || !file) {
    console.error('usage: npm run backup -- <file.dump>   |   npm run restore -- <file.dump>');
    process.exit(2);
  }
  const tool = command === 'backup' ? 'pg_dump' : 'pg_restore';
  requireTool(tool);
  if (command === 'restore' && !existsSync(file)) {
    console.error(`no such backup file: ${file}`);
    process.exit(2);
  }
  const status = await withDatabaseUrl((url) => {
    const args =
      command === 'backup'
        ? ['--format=custom', '--no-owner', `--file=${file}`, url]
        : ['--clean', '--if-exists', '--no-owner', '--single-transaction', `--dbname=${url}`, file];
    return spawnSync(tool, args, { stdio: 'inherit' }).status;
  });
  if (status !== 0) process.exit(status ?? 1);
  console.log(command === 'backup' ? `backup written to ${file}` : `restored from ${file}`);
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
