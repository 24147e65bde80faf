/** Backup and restore with the documented commands, on real databases. */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SecretBox } from '../server/infra/secret-box.ts';
import { install } from '../server/plugin-host/test-tools.ts';
import { withDatabase } from './global-setup.ts';
import { startServer, type TestServer } from './harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const npmRun = (script: string, file: string, databaseUrl: string) =>
  spawnSync('npm', ['run', '--silent', script, '--', file], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });

describe('backup and restore', () => {
  it('`npm run backup` writes a dump that `npm run restore` brings back into an empty database, plugin secrets still sealed', async () => {
    const boardId = (await server.admin.createBoard('Precious')).id;
    await server.admin.createCard(boardId, { title: 'Keep me' });
    await server.admin.createCard(boardId, { title: 'Me too', type: 'incident', stream: 'maintenance' });
    const hook = await install(server.admin, boardId, 'generic-ci');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'bb-backup-')), 'board.dump');

    const backup = npmRun('backup', file, server.databaseUrl);
    expect(backup.stderr).toBe('');
    expect(backup.status).toBe(0);

    const target = `bb_t_${inject('runId')}_restore`;
    const admin = new pg.Client({ connectionString: inject('pgServerUrl') });
    await admin.connect();
    await admin.query(`drop database if exists ${target}`);
    await admin.query(`create database ${target}`);
    try {
      const restore = npmRun('restore', file, withDatabase(inject('pgServerUrl'), target));
      expect(restore.status).toBe(0);
      const restored = new pg.Client({ connectionString: withDatabase(inject('pgServerUrl'), target) });
      await restored.connect();
      const { rows } = await restored.query('select title from cards where board_id = $1 order by rank', [
        boardId,
      ]);
      const { rows: secrets } = await restored.query(
        'select secret from plugin_installations where id = $1',
        [hook.id],
      );
      await restored.end();
      expect(rows.map((r) => r.title)).toEqual(['Keep me', 'Me too']);
      // The backup holds the secret sealed: only the key of the server that made it opens it.
      const sealed = secrets[0].secret as string;
      expect(sealed).toMatch(/^v1:/);
      expect(server.secrets.open(sealed)).toBe(hook.secret);
      expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow(/another key/);
    } finally {
      await admin.query(`drop database if exists ${target} with (force)`);
      await admin.end();
    }
  });
});
