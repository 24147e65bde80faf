/**
 * Backup and restore with the documented commands, on real databases. Also the runbook's drill
 * (RUNBOOK.md, "Backup" and "Restore"): a fresh instance on the restored database, with the kept key,
 * serves the boards and their event log and accepts webhooks signed with the installation's secret.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SecretBox } from '../server/infra/secret-box.ts';
import { fixtureText, install, postHook, sign } from '../server/plugin-host/test-tools.ts';
import { withDatabase } from './global-setup.ts';
import { eventually, startServer, type TestServer } from './harness.ts';

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

      // A fresh instance on the restored database with the KEPT key: boards, events and secrets work.
      const board = await server.admin.ok(server.admin.get<{ seq: number }>(`/api/boards/${boardId}`));
      const fresh = await startServer({}, withDatabase(inject('pgServerUrl'), target));
      try {
        const snapshot = await fresh.admin.ok(
          fresh.admin.get<{ seq: number; cards: { title: string }[] }>(`/api/boards/${boardId}`),
        );
        expect(snapshot.seq).toBe(board.seq);
        expect(snapshot.cards.map((c) => c.title)).toEqual(['Keep me', 'Me too']);
        const events = await fresh.admin.ok(
          fresh.admin.get<{ seq: number }[]>(`/api/boards/${boardId}/events?after=0`),
        );
        expect(events.map((e) => e.seq)).toEqual(Array.from({ length: board.seq }, (_, i) => i + 1));
        const body = fixtureText('generic-ci', 'failed');
        const reply = await postHook(fresh.baseUrl, hook.inboundUrl, body, sign.bearer(hook.secret));
        expect(reply.status).toBe(202);
        await eventually(
          async () => (await fresh.admin.cards(boardId)).some((c) => c.source !== null),
          10_000,
        );
      } finally {
        await fresh.close();
      }
      // Without the kept key, the same restore starts but its webhooks answer 503 (RUNBOOK.md, "A lost secret key").
      const keyless = await startServer(
        { SECRET_KEY: randomBytes(32).toString('base64') },
        withDatabase(inject('pgServerUrl'), target),
      );
      try {
        const body = fixtureText('generic-ci', 'failed');
        expect(
          (await postHook(keyless.baseUrl, hook.inboundUrl, body, sign.bearer(hook.secret))).status,
        ).toBe(503);
      } finally {
        await keyless.close();
      }
    } finally {
      await admin.query(`drop database if exists ${target} with (force)`);
      await admin.end();
    }
  }, 60_000);
});
