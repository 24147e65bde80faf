/**
 * Installation secrets at rest, on a real database: stored sealed, never as shown; verification
 * with the shown secret, through a rotation's grace period and for rows an earlier version stored
 * readable (sealed at the next start); and a server with another key, which cannot open them and
 * says so instead of calling the sender's signature wrong.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startServer, type TestServer } from '../../test/harness.ts';
import { installationsWithUnreadableSecrets, sealLegacySecrets } from './secrets-at-rest.ts';
import { deliveries, delivery, fixtureText, install, postHook, sign } from './test-tools.ts';

let server: TestServer;
const others: TestServer[] = [];
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  for (const s of others) await s.close();
  await server?.close();
});

/** Another server on the same database, as after a restart or as a second instance. */
async function serverOnSameDatabase(env: Record<string, string> = {}): Promise<TestServer> {
  const s = await startServer(env, server.databaseUrl);
  others.push(s);
  return s;
}

const stored = (installationId: string) =>
  server.db
    .selectFrom('plugin_installations')
    .select(['secret', 'previous_secret'])
    .where('id', '=', installationId)
    .executeTakeFirstOrThrow();

const githubFailure = fixtureText('github-actions', 'workflow_run.completed.failure');
/** A generic CI failure; a new run id each time, so each is a delivery of its own. */
const ciFailure = (runId: string) =>
  JSON.stringify({ ...JSON.parse(fixtureText('generic-ci', 'failed')), runId });

describe('an installation secret at rest', () => {
  it('is stored sealed, not as shown at install; the shown secret verifies a webhook and another does not', async () => {
    const board = await server.admin.createBoard('Sealed');
    const inst = await install(server.admin, board.id, 'github-actions');

    const row = await stored(inst.id);
    expect(row.secret).toMatch(/^v1:/);
    expect(row.secret).not.toContain(inst.secret);
    expect(server.secrets.open(row.secret)).toBe(inst.secret);

    const signed = await postHook(
      server.baseUrl,
      inst.inboundUrl,
      githubFailure,
      sign.github(inst.secret, githubFailure),
    );
    expect(signed.status).toBe(202);
    const forged = await postHook(
      server.baseUrl,
      inst.inboundUrl,
      githubFailure,
      sign.github('not-the-secret', githubFailure),
    );
    expect(forged.status).toBe(401);
  });

  it('stays sealed through a rotation, and within the grace period both the new and the previous secret verify', async () => {
    const board = await server.admin.createBoard('Rotated');
    const inst = await install(server.admin, board.id, 'generic-ci');
    const before = await stored(inst.id);
    const rotated = await server.admin.ok(
      server.admin.post<{ secret: string }>(`/api/boards/${board.id}/plugins/${inst.id}/secret`, {
        graceMinutes: 10,
      }),
    );

    const row = await stored(inst.id);
    expect(row.secret).toMatch(/^v1:/);
    expect(row.secret).not.toContain(rotated.secret);
    expect(row.previous_secret).toBe(before.secret); // copied as it was stored: sealed
    expect(server.secrets.open(row.previous_secret!)).toBe(inst.secret);

    const post = (body: string, secret: string) =>
      postHook(server.baseUrl, inst.inboundUrl, body, sign.bearer(secret));
    expect((await post(ciFailure('1'), rotated.secret)).status).toBe(202);
    expect((await post(ciFailure('2'), inst.secret)).status).toBe(202);
    expect((await post(ciFailure('3'), 'neither-the-new-nor-the-old-one')).status).toBe(401);
  });

  it('stored readable by an earlier version still verifies, and is sealed at the next start', async () => {
    const board = await server.admin.createBoard('Legacy');
    const ci = await install(server.admin, board.id, 'generic-ci');
    const gh = await install(server.admin, board.id, 'github-actions');
    // As an earlier version wrote them: plain text, one with a previous secret still in its grace.
    const legacy = { ci: 'legacy-generic-ci-secret-0123456789', gh: 'legacy-github-secret-0123456789' };
    const legacyPrevious = 'legacy-previous-github-secret-0123';
    await server.db
      .updateTable('plugin_installations')
      .set({ secret: legacy.ci })
      .where('id', '=', ci.id)
      .execute();
    await server.db
      .updateTable('plugin_installations')
      .set({
        secret: legacy.gh,
        previous_secret: legacyPrevious,
        previous_secret_expires_at: new Date(Date.now() + 600_000),
      })
      .where('id', '=', gh.id)
      .execute();
    expect(
      (await postHook(server.baseUrl, ci.inboundUrl, ciFailure('10'), sign.bearer(legacy.ci))).status,
    ).toBe(202);

    // The next start (main.ts runs this before listening).
    const restarted = await serverOnSameDatabase();
    expect(await sealLegacySecrets(restarted.db, restarted.secrets)).toBe(2);
    const ciRow = await stored(ci.id);
    const ghRow = await stored(gh.id);
    for (const value of [ciRow.secret, ghRow.secret, ghRow.previous_secret!]) expect(value).toMatch(/^v1:/);
    expect(restarted.secrets.open(ciRow.secret)).toBe(legacy.ci);
    expect(restarted.secrets.open(ghRow.secret)).toBe(legacy.gh);
    expect(restarted.secrets.open(ghRow.previous_secret!)).toBe(legacyPrevious);

    // Again: nothing left to seal, and sealed values are left exactly as they are.
    expect(await sealLegacySecrets(restarted.db, restarted.secrets)).toBe(0);
    expect(await stored(ci.id)).toEqual(ciRow);
    expect(await stored(gh.id)).toEqual(ghRow);

    // The tools keep the secrets they were given.
    const send = (url: string, body: string, headers: Record<string, string>) =>
      postHook(restarted.baseUrl, url, body, headers);
    expect((await send(ci.inboundUrl, ciFailure('11'), sign.bearer(legacy.ci))).status).toBe(202);
    expect((await send(gh.inboundUrl, githubFailure, sign.github(legacy.gh, githubFailure))).status).toBe(
      202,
    );
    expect(
      (await send(gh.inboundUrl, githubFailure, sign.github(legacyPrevious, githubFailure))).status,
    ).toBe(202);
  });

  it('cannot be opened by a server with another key: 503 saying why, logged, and the server keeps serving', async () => {
    const board = await server.admin.createBoard('Other key');
    const inst = await install(server.admin, board.id, 'generic-ci');
    const other = await serverOnSameDatabase({ SECRET_KEY: randomBytes(32).toString('base64') });
    const logged = vi.spyOn(other.app.http.log, 'error');

    // Found at start-up, before any webhook arrives (main.ts logs these).
    expect(await installationsWithUnreadableSecrets(other.db, other.secrets)).toContain(inst.id);
    expect(await installationsWithUnreadableSecrets(server.db, server.secrets)).not.toContain(inst.id);

    const reply = await postHook(other.baseUrl, inst.inboundUrl, ciFailure('20'), sign.bearer(inst.secret));
    expect(reply.status).toBe(503);
    expect(reply.body.error).toBe('PLUGIN_UNAVAILABLE');
    expect(reply.body.message).toMatch(/cannot read the installation's secret.*another server key/);
    expect(reply.body.message).toMatch(/SECRET_KEY/);
    expect(logged).toHaveBeenCalledWith(
      expect.objectContaining({ installation: inst.id }),
      expect.stringMatching(/cannot open the installation secret/),
    );
    // A wrong signature is not told apart either: without the secret there is no verdict.
    expect(
      (await postHook(other.baseUrl, inst.inboundUrl, ciFailure('21'), sign.bearer('forged'))).status,
    ).toBe(503);

    const [d] = (await deliveries(server.admin, board.id, inst.id)).items;
    expect(d).toMatchObject({ status: 'rejected', verification: 'not_checked', httpStatus: 503 });
    expect((await delivery(server.admin, board.id, inst.id, d!.id)).error).toMatch(/another server key/);

    // Still serving; its own installations work, and rotating the secret there makes this one work there.
    expect((await fetch(`${other.baseUrl}/readyz`)).status).toBe(200);
    const own = await install(other.admin, board.id, 'generic-ci');
    expect(
      (await postHook(other.baseUrl, own.inboundUrl, ciFailure('22'), sign.bearer(own.secret))).status,
    ).toBe(202);
    const rotated = await other.admin.ok(
      other.admin.post<{ secret: string }>(`/api/boards/${board.id}/plugins/${inst.id}/secret`, {}),
    );
    expect(
      (await postHook(other.baseUrl, inst.inboundUrl, ciFailure('23'), sign.bearer(rotated.secret))).status,
    ).toBe(202);
  });
});
