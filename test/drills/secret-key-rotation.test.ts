/**
 * Drill (RUNBOOK.md, "Secret-key rotation"): with the instance stopped, server/ops/rekey-cli.ts re-seals
 * every plugin secret under a new key; an instance started with the new key accepts the installations'
 * webhooks, one still on the old key answers 503. A second run changes nothing; a wrong old key changes
 * nothing and names the installations.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../server/infra/database.ts';
import { parseSecretKey, SecretBox } from '../../server/infra/secret-box.ts';
import { rekeySecrets } from '../../server/ops/rekey.ts';
import { fixtureText, install, postHook, sign } from '../../server/plugin-host/test-tools.ts';
import { eventually, startServer, TEST_SECRET_KEY } from '../harness.ts';

const rekey = (databaseUrl: string, oldKey: string, newKey: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'server/ops/rekey-cli.ts'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, SECRET_KEY: oldKey, NEW_SECRET_KEY: newKey },
    encoding: 'utf8',
  });

describe('secret-key rotation', () => {
  it('re-seals every plugin secret under the new key; webhooks work with it and not with the old one', async () => {
    const before = await startServer();
    const board = await before.admin.createBoard('Rotating');
    const hooks = [
      await install(before.admin, board.id, 'generic-ci'),
      await install(before.admin, board.id, 'generic-ci'),
    ];
    const url = before.databaseUrl;
    await before.close(); // the runbook: stop every instance first

    const newKey = randomBytes(32).toString('base64');
    const newBox = new SecretBox(parseSecretKey(newKey));
    const { db } = createDb(url, 1);
    try {
      // A wrong old key changes nothing and names the installations it cannot open.
      await expect(rekeySecrets(db, new SecretBox(randomBytes(32)), newBox)).rejects.toThrow(hooks[0]!.id);

      const run = rekey(url, TEST_SECRET_KEY, newKey);
      expect(run.stderr).toBe('');
      expect(run.stdout).toContain('re-sealed 2 plugin installation(s)');
      // Repeated (say after a crash half-way through the runbook), it has nothing left to do.
      expect(await rekeySecrets(db, new SecretBox(parseSecretKey(TEST_SECRET_KEY)), newBox)).toBe(0);
    } finally {
      await db.destroy();
    }

    const body = fixtureText('generic-ci', 'failed');
    const stale = await startServer({}, url); // still the old key
    try {
      expect(
        (await postHook(stale.baseUrl, hooks[0]!.inboundUrl, body, sign.bearer(hooks[0]!.secret))).status,
      ).toBe(503);
    } finally {
      await stale.close();
    }
    const after = await startServer({ SECRET_KEY: newKey }, url);
    try {
      for (const hook of hooks) {
        expect((await postHook(after.baseUrl, hook.inboundUrl, body, sign.bearer(hook.secret))).status).toBe(
          202,
        );
      }
      await eventually(
        async () => (await after.admin.cards(board.id)).some((c) => c.source !== null),
        10_000,
      );
    } finally {
      await after.close();
    }
  }, 90_000);
});
