/**
 * Deployment events from CI (issue 16) end to end against real PostgreSQL: each tool's real-format
 * body, signed as the tool signs it, posted to the installation's inbound URL; from the durable
 * queue the plugin reports the run on the release it names, through the release service's own write
 * path. A failure stops the line and raises one linked defect (also when delivered twice and when
 * two failures race); a success lifts the stop; what matches nothing is said in the delivery log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Card } from '../protocol/model.ts';
import type { DeliverySummary, InstallationWithSecret } from '../protocol/plugin.ts';
import type { Release } from '../protocol/releases.ts';
import {
  deliveries,
  fixtureText,
  hmacHex,
  install,
  postHook,
  sign,
} from '../server/plugin-host/test-tools.ts';
import { findByRef } from '../server/releases/repo.ts';
import { type ApiClient, eventually, memberWithRole, startServer, type TestServer } from './harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

interface Stage {
  boardId: string;
  dev: ApiClient;
  release: Release;
}

/** A board with a planned release that CI has taken through `passed` (reported over HTTP). */
async function stage(
  name: string,
  plan: { version: string; tag?: string; commit?: string },
  passed: string[],
): Promise<Stage> {
  const boardId = (await server.admin.createBoard(name)).id;
  const dev = await memberWithRole(server, boardId, 'developer');
  let release = await server.admin.ok(
    server.admin.post<Release>(`/api/boards/${boardId}/releases`, { ...plan, stream: 'development' }),
  );
  for (const environment of passed) {
    release = (
      await dev.ok(
        dev.post<{ release: Release }>(`/api/boards/${boardId}/releases/${release.id}/runs`, {
          environment,
          runId: `http-${environment}`,
          kind: 'deployment',
          outcome: 'success',
        }),
      )
    ).release;
  }
  return { boardId, dev, release };
}

const releaseNow = (s: Stage) =>
  server.admin.ok(server.admin.get<Release>(`/api/boards/${s.boardId}/releases/${s.release.id}`));

/** Waits until `count` deliveries of the installation are processed (or rejected); newest first. */
async function processed(s: Stage, inst: InstallationWithSecret, count: number): Promise<DeliverySummary[]> {
  return eventually(async () => {
    const page = await deliveries(server.admin, s.boardId, inst.id);
    const done = page.items.filter((d) => d.status === 'processed' || d.status === 'rejected');
    return done.length >= count ? page.items : null;
  }, 15_000);
}

const defects = async (s: Stage): Promise<Card[]> =>
  (await server.admin.cards(s.boardId)).filter(
    (c) => (c.source as { kind?: string } | null)?.kind === 'release_stop',
  );

const comments = (s: Stage, cardId: string) =>
  server.admin.ok(server.admin.get<{ body: string }[]>(`/api/boards/${s.boardId}/cards/${cardId}/comments`));

describe('GitHub deployment_status', () => {
  it('stops the release on a failure (once, even redelivered), lifts it on success, records the shadow URL', async () => {
    const s = await stage(
      'GitHub deploys',
      { version: '2.4.0', tag: 'v2.4.0', commit: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e' },
      ['test', 'system-test'],
    );
    expect(s.release).toMatchObject({ tag: 'v2.4.0', commit: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e' });
    const inst = await install(server.admin, s.boardId, 'github-deployments');
    const failure = fixtureText('github-deployments', 'deployment_status.failure');
    const headers = (body: string, delivery?: string) =>
      sign.github(inst.secret, body, 'deployment_status', delivery);
    const forgedHeaders = sign.github('not-the-webhook-secret', failure, 'deployment_status');

    // A bad signature: 401, and nothing reaches the release.
    const forged = await postHook(server.baseUrl, inst.inboundUrl, failure, forgedHeaders);
    expect(forged.status).toBe(401);
    expect((await postHook(server.baseUrl, inst.inboundUrl, failure, {})).status).toBe(401);

    const deliveryId = crypto.randomUUID();
    const first = await postHook(server.baseUrl, inst.inboundUrl, failure, headers(failure, deliveryId));
    expect(first).toMatchObject({ status: 202, body: { status: 'queued' } });
    // GitHub's "Redeliver": the same X-GitHub-Delivery is one delivery.
    const again = await postHook(server.baseUrl, inst.inboundUrl, failure, headers(failure, deliveryId));
    expect(again.body.status).toBe('duplicate');
    await processed(s, inst, 3);
    // The same status sent as a new delivery (a retried send): the run is recorded once.
    expect((await postHook(server.baseUrl, inst.inboundUrl, failure, headers(failure))).status).toBe(202);
    const log = await processed(s, inst, 4);

    const stopped = await releaseNow(s);
    expect(stopped).toMatchObject({
      state: 'stopped',
      stop: {
        environment: 'pre-production',
        runId: 'github:1459887461:2099162542',
        kind: 'deployment',
        url: 'https://github.com/acme/payments-api/actions/runs/7702154521/job/21002',
      },
      revision: s.release.revision + 1,
    });
    const [defect, ...more] = await defects(s);
    expect(more).toEqual([]);
    expect(defect).toMatchObject({ type: 'defect_automated', stream: 'development' });
    expect(defect!.title).toMatch(/Release 2\.4\.0 stopped in pre-production/);
    expect(stopped.cardIds).toContain(defect!.id);
    expect(await comments(s, defect!.id)).toEqual([]);
    expect(log.map((d) => d.status)).toEqual(['processed', 'processed', 'rejected', 'rejected']);
    expect(log[0]!.summary).toMatch(/already recorded/);
    expect(log[1]!.summary).toMatch(
      /release 2\.4\.0: deployment github:1459887461:2099162542 failed in pre-production; the line is stopped/,
    );

    // In progress is not an outcome.
    const running = fixtureText('github-deployments', 'deployment_status.in_progress');
    await postHook(server.baseUrl, inst.inboundUrl, running, headers(running));
    expect((await processed(s, inst, 5))[0]).toMatchObject({
      outcome: 'ignored',
      summary: expect.stringMatching(/in_progress/),
    });
    expect((await releaseNow(s)).state).toBe('stopped');

    // A successful re-run in pre-production lifts the stop; production maps to the shadow.
    const success = fixtureText('github-deployments', 'deployment_status.success');
    await postHook(server.baseUrl, inst.inboundUrl, success, headers(success));
    await processed(s, inst, 6);
    expect(await releaseNow(s)).toMatchObject({ state: 'on_path', stop: null, reached: 2 });
    const shadow = fixtureText('github-deployments', 'deployment_status.production.success');
    await postHook(server.baseUrl, inst.inboundUrl, shadow, headers(shadow));
    await processed(s, inst, 7);
    expect(await releaseNow(s)).toMatchObject({
      state: 'awaiting_go',
      reached: 3,
      shadowUrl: 'https://shadow.payments.acme.example',
    });
    expect(await defects(s)).toHaveLength(1);
  });
});

describe('GitLab Deployment Hook', () => {
  it('finds the release by its version written as the tag, stops and resumes it, and says when nothing matches', async () => {
    const s = await stage('GitLab deploys', { version: '3.1.0', commit: '279484c09fbe' }, [
      'test',
      'system-test',
    ]);
    const inst = await install(server.admin, s.boardId, 'gitlab-deployments');
    const failed = fixtureText('gitlab-deployments', 'deployment.failed');
    const gitlab = (token: string) => ({ ...sign.gitlab(token), 'x-gitlab-event': 'Deployment Hook' });
    expect((await postHook(server.baseUrl, inst.inboundUrl, failed, gitlab('not-the-token'))).status).toBe(
      401,
    );
    expect((await postHook(server.baseUrl, inst.inboundUrl, failed, gitlab(inst.secret))).status).toBe(202);
    await processed(s, inst, 2);
    expect(await releaseNow(s)).toMatchObject({
      state: 'stopped',
      stop: { environment: 'pre-production', runId: 'gitlab:30:15' },
    });
    expect(await defects(s)).toHaveLength(1);

    const success = fixtureText('gitlab-deployments', 'deployment.success');
    await postHook(server.baseUrl, inst.inboundUrl, success, gitlab(inst.secret));
    await processed(s, inst, 3);
    expect(await releaseNow(s)).toMatchObject({ state: 'on_path', stop: null, reached: 2 });

    const elsewhere = failed
      .replace('"ref": "v3.1.0"', '"ref": "v9.9.9"')
      .replaceAll('279484c09fbe69ededfced8c1bb6e6d24616b468', 'abcdef0123456789abcdef0123456789abcdef01')
      .replace('"short_sha": "279484c0"', '"short_sha": "abcdef01"');
    await postHook(server.baseUrl, inst.inboundUrl, elsewhere, gitlab(inst.secret));
    const [latest] = await processed(s, inst, 4);
    expect(latest).toMatchObject({
      status: 'processed',
      outcome: 'ignored',
      retrying: false,
      summary: 'no release on its way matches tag v9.9.9 / commit abcdef0123456789abcdef0123456789abcdef01',
    });
    expect((await releaseNow(s)).state).toBe('on_path');
  });
});

describe('Jenkins pipeline step', () => {
  it('takes the exact body the README Jenkinsfile posts, signed with X-Blendboard-Signature', async () => {
    const s = await stage('Jenkins deploys', { version: '2.4.0' }, ['test', 'system-test']);
    const inst = await install(server.admin, s.boardId, 'jenkins-deployments');
    const failure = fixtureText('jenkins-deployments', 'post.failure');
    expect(
      (await postHook(server.baseUrl, inst.inboundUrl, failure, sign.blendboard('wrong-secret', failure)))
        .status,
    ).toBe(401);
    expect(
      (await postHook(server.baseUrl, inst.inboundUrl, failure, sign.blendboard(inst.secret, failure)))
        .status,
    ).toBe(202);
    const [stopping] = await processed(s, inst, 2);
    // A replay runs the delivery again: the run is already recorded, nothing changes.
    await server.admin.ok(
      server.admin.post(`/api/boards/${s.boardId}/plugins/${inst.id}/deliveries/${stopping!.id}/replay`),
    );
    const replayed = await eventually(async () => {
      const d = (await deliveries(server.admin, s.boardId, inst.id)).items.find((x) => x.id === stopping!.id);
      return d?.status === 'processed' && d.attempts > stopping!.attempts ? d : null;
    }, 15_000);
    expect(replayed.summary).toMatch(/was already recorded/);
    expect(await defects(s)).toHaveLength(1);
    expect(await releaseNow(s)).toMatchObject({
      state: 'stopped',
      revision: s.release.revision + 1,
      stop: {
        runId: 'jenkins:payments-api/main#412',
        url: 'https://jenkins.example.com/job/payments-api/job/main/412/',
      },
    });
    const success = fixtureText('jenkins-deployments', 'post.success');
    await postHook(server.baseUrl, inst.inboundUrl, success, sign.blendboard(inst.secret, success));
    await processed(s, inst, 3);
    expect(await releaseNow(s)).toMatchObject({ state: 'on_path', reached: 2, stop: null });
    expect(await defects(s)).toHaveLength(1);
  });
});

describe('generic deployment JSON', () => {
  it('matches by a commit prefix, maps environments, and logs an unknown version or environment', async () => {
    const s = await stage(
      'Generic deploys',
      { version: '2.4.0', commit: 'F95F852BD8FCA8FCC58A9A2D6C842781E32A215E' },
      ['test'],
    );
    expect(s.release.commit).toBe('f95f852bd8fca8fcc58a9a2d6c842781e32a215e');
    const inst = await install(server.admin, s.boardId, 'generic-deployment', {
      environments: { sit: 'system-test' },
    });
    const post = (body: Record<string, unknown>) => {
      const text = JSON.stringify(body);
      return postHook(server.baseUrl, inst.inboundUrl, text, sign.blendboard(inst.secret, text));
    };
    const base = { environment: 'sit', runId: 'deploy-1', kind: 'deployment' };
    expect((await post({ ...base, commit: 'f95f852', status: 'failure' })).status).toBe(202);
    await processed(s, inst, 1);
    expect(await releaseNow(s)).toMatchObject({ state: 'stopped', stop: { environment: 'system-test' } });

    await post({ ...base, version: '0.0.1', status: 'failure', runId: 'deploy-2' });
    await post({ ...base, version: '2.4.0', environment: 'qa', status: 'failure', runId: 'deploy-3' });
    const log = await processed(s, inst, 3);
    expect(log[1]!.summary).toBe('no release on its way matches version 0.0.1');
    expect(log[0]!.summary).toMatch(
      /environment "qa" is not on this board's path .*map it in the installation's "environments" config/,
    );
    expect(log.every((d) => d.status === 'processed' && !d.retrying)).toBe(true);

    // A body the format does not allow: 400 naming the field, nothing stored for processing.
    const bad = await post({ ...base, version: '2.4.0', status: 'done' });
    expect(bad).toMatchObject({ status: 400, body: { field: 'status' } });

    await post({ ...base, version: '2.4.0', status: 'success', runId: 'deploy-4' });
    await processed(s, inst, 5);
    expect(await releaseNow(s)).toMatchObject({ state: 'on_path', reached: 1, stop: null });
  });
});

describe('failures racing', () => {
  it('raises one defect when failures from four installations are processed at the same time', async () => {
    const s = await stage('Racing failures', { version: '2.4.0' }, ['test', 'system-test']);
    // Each installation's deliveries are applied one at a time, different installations side by side.
    const jenkinsBody = fixtureText('jenkins-deployments', 'post.failure');
    const sends = await Promise.all(
      [412, 414].map(async (build) => {
        const inst = await install(server.admin, s.boardId, 'jenkins-deployments');
        const body = jenkinsBody.replaceAll('412', String(build));
        return { inst, body, headers: { 'x-blendboard-signature': `sha256=${hmacHex(inst.secret, body)}` } };
      }),
    );
    for (const runId of ['smoke-99', 'smoke-100']) {
      const inst = await install(server.admin, s.boardId, 'generic-deployment');
      const body = JSON.stringify({
        version: '2.4.0',
        environment: 'pre-production',
        status: 'failure',
        runId,
        kind: 'check',
      });
      sends.push({ inst, body, headers: sign.blendboard(inst.secret, body) });
    }
    const replies = await Promise.all(
      sends.map(({ inst, body, headers }) => postHook(server.baseUrl, inst.inboundUrl, body, headers)),
    );
    expect(replies.map((r) => r.status)).toEqual([202, 202, 202, 202]);
    for (const { inst } of sends) await processed(s, inst, 1);
    const release = await releaseNow(s);
    expect(release.state).toBe('stopped');
    const found = await defects(s);
    expect(found).toHaveLength(1);
    // Every later failure is a comment on the one defect.
    const notes = await comments(s, found[0]!.id);
    expect(notes).toHaveLength(3);
    expect(notes.every((n) => n.body.startsWith('Failed again: '))).toBe(true);
  });
});

describe('releases switched off on the board', () => {
  it('records the report as not applied, naming the flag, and leaves the release alone', async () => {
    const s = await stage('Flagged off', { version: '2.4.0' }, ['test']);
    const inst = await install(server.admin, s.boardId, 'generic-deployment');
    await server.admin.ok(
      server.admin.put(`/api/flags/releases/overrides`, {
        boardId: s.boardId,
        value: false,
        reason: 'not yet',
      }),
    );
    const body = fixtureText('generic-deployment', 'failure');
    expect(
      (await postHook(server.baseUrl, inst.inboundUrl, body, sign.blendboard(inst.secret, body))).status,
    ).toBe(202);
    const [latest] = await processed(s, inst, 1);
    expect(latest).toMatchObject({ status: 'processed', outcome: 'ignored', retrying: false });
    expect(latest!.summary).toMatch(/releases are turned off on this board \(feature flag "releases"\)/);
    await server.admin.ok(
      server.admin.put(`/api/flags/releases/overrides`, { boardId: s.boardId, value: null }),
    );
    expect(await releaseNow(s)).toMatchObject({ state: 'on_path', stop: null, revision: s.release.revision });
  });
});

describe('which release an event names', () => {
  it('prefers version, then tag, then commit; an exact tag or commit, then the newest; never a live or cancelled one', async () => {
    const boardId = (await server.admin.createBoard('Matching')).id;
    const plan = (body: Record<string, unknown>) =>
      server.admin.ok(
        server.admin.post<Release>(`/api/boards/${boardId}/releases`, { stream: 'development', ...body }),
      );
    const older = await plan({ version: '1.0.0', commit: 'aaaaaaa111' });
    const newer = await plan({ version: '1.1.0', commit: 'aaaaaaa111bbbb' });
    const tagged = await plan({ version: 'Spring-2027', tag: 'v1.0.0', commit: 'ccccccc' });
    const find = async (ref: Parameters<typeof findByRef>[2]) =>
      (await findByRef(server.db, boardId, ref))?.version;

    expect(await find({ version: 'spring-2027', tag: 'v1.1.0', commit: 'aaaaaaa111' })).toBe(tagged.version);
    // A release's own tag wins over another release's version written as a tag.
    expect(await find({ tag: 'v1.0.0' })).toBe(tagged.version);
    expect(await find({ tag: 'refs/tags/1.1.0' })).toBe(newer.version);
    // Exact commit before a prefix, either way round; then the most recently planned.
    expect(await find({ commit: 'AAAAAAA111' })).toBe(older.version);
    expect(await find({ commit: 'aaaaaaa111bbbbcccc' })).toBe(newer.version);
    expect(await find({ commit: 'aaaaaaa' })).toBe(newer.version);
    expect(await find({ commit: 'aaaaaa' })).toBeUndefined();
    expect(await find({ version: '9.9.9', tag: 'v9.9.9', commit: 'ccccccc0123' })).toBe(tagged.version);
    expect(await find({})).toBeUndefined();

    await server.db.updateTable('releases').set({ state: 'cancelled' }).where('id', '=', newer.id).execute();
    expect(await find({ commit: 'aaaaaaa' })).toBe(older.version);
    expect(await find({ version: '1.1.0' })).toBeUndefined();
    expect(older.id).not.toBe(newer.id);
  });
});
