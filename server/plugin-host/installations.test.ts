/**
 * Installing plugins on a board over the API, as a script would: who may, config checked with clear
 * errors, the secret shown once, rename/disable/uninstall, the paginated delivery log, the OpenAPI
 * document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryPage, Installation, PluginInfo } from '../../protocol/plugin.ts';
import { memberWithRole, startServer, type TestServer } from '../../test/harness.ts';
import { deliveries, fixture, install, postHook, sign } from './test-tools.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ PUBLIC_URL: 'https://blendboard.example' });
});
afterAll(async () => {
  await server?.close();
});

describe('the plugins a server offers', () => {
  it('lists the built-ins with their config schema and defaults', async () => {
    const res = await server.admin.ok(
      server.admin.get<{ plugins: PluginInfo[]; loadErrors: unknown[] }>('/api/plugins'),
    );
    expect(res.plugins.map((p) => p.id).sort()).toEqual([
      'alertmanager',
      'generic-ci',
      'generic-deployment',
      'generic-incident',
      'generic-problem',
      'github-actions',
      'github-deployments',
      'gitlab-ci',
      'gitlab-deployments',
      'grafana',
      'inbound-email',
      'jenkins',
      'jenkins-deployments',
      'pagerduty',
    ]);
    expect(res.loadErrors).toEqual([]);
    const gh = res.plugins.find((p) => p.id === 'github-actions')!;
    expect(gh).toMatchObject({ source: 'builtin', apiVersion: 1, webhooks: [{ name: 'events' }] });
    expect(gh.configDefaults).toMatchObject({
      lifecycle: { onRecovery: 'resolve', onRecurrence: 'reopen' },
      routing: { fallback: { stream: 'development', position: 'bottom' } },
    });
  });
});

describe('installing on a board', () => {
  it('lets a product owner install with a script token, gives the inbound URL and a secret shown once', async () => {
    const board = await server.admin.createBoard('Scripted');
    const owner = await memberWithRole(server, board.id, 'product_owner');
    const { token } = await owner.ok(owner.post<{ token: string }>('/api/tokens', { name: 'ci setup' }));
    const script = owner.withToken(token);
    const res = await script.post<Installation & { secret: string }>(`/api/boards/${board.id}/plugins`, {
      pluginId: 'gitlab-ci',
      name: 'Ledger pipelines',
      config: { refs: ['main', 'release/*'] },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      pluginId: 'gitlab-ci',
      name: 'Ledger pipelines',
      enabled: true,
      available: true,
      inboundUrl: `https://blendboard.example/hooks/${res.body.id}`,
      inboundUrls: { pipeline: `https://blendboard.example/hooks/${res.body.id}/pipeline` },
    });
    expect(res.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.body.config).toMatchObject({
      refs: ['main', 'release/*'],
      lifecycle: { onRecovery: 'resolve' },
    });

    const list = await script.ok(script.get<Installation[]>(`/api/boards/${board.id}/plugins`));
    expect(list).toHaveLength(1);
    expect(JSON.stringify(list)).not.toContain(res.body.secret);
  });

  it('refuses people without plugin:manage', async () => {
    const board = await server.admin.createBoard('Roles');
    const dev = await memberWithRole(server, board.id, 'developer');
    const viewer = await memberWithRole(server, board.id, 'viewer');
    expect((await dev.post(`/api/boards/${board.id}/plugins`, { pluginId: 'generic-ci' })).status).toBe(403);
    expect((await viewer.get(`/api/boards/${board.id}/plugins`)).status).toBe(403);
    const inst = await install(server.admin, board.id, 'generic-ci');
    expect((await dev.get(`/api/boards/${board.id}/plugins/${inst.id}/deliveries`)).status).toBe(403);
    expect((await dev.post(`/api/boards/${board.id}/plugins/${inst.id}/secret`, {})).status).toBe(403);
  });

  it('checks the config against the plugin schema and names the field', async () => {
    const board = await server.admin.createBoard('Config');
    const unknownPlugin = await server.admin.post(`/api/boards/${board.id}/plugins`, { pluginId: 'jira' });
    expect(unknownPlugin.status).toBe(400);
    expect(unknownPlugin.body).toMatchObject({ field: 'pluginId' });
    expect((unknownPlugin.body as { message: string }).message).toMatch(/available: .*github-actions/);

    const typo = await server.admin.post(`/api/boards/${board.id}/plugins`, {
      pluginId: 'github-actions',
      config: { lifecycle: { onRecovery: 'close' } },
    });
    expect(typo.status).toBe(400);
    expect(typo.body).toMatchObject({ error: 'VALIDATION_FAILED', field: 'config.lifecycle.onRecovery' });

    const extra = await server.admin.post(`/api/boards/${board.id}/plugins`, {
      pluginId: 'github-actions',
      config: { colour: 'blue' },
    });
    expect(extra.body).toMatchObject({
      field: 'config.colour',
      message: 'config.colour: is not a known field',
    });

    const badRoute = await server.admin.post(`/api/boards/${board.id}/plugins`, {
      pluginId: 'alertmanager',
      config: { routing: { fallback: { stream: 'ops', lane: 'expedite', position: 'top' } } },
    });
    expect(badRoute.body).toMatchObject({ field: 'config.routing.fallback.stream' });
  });

  it('renames, disables and uninstalls; an uninstalled URL is gone', async () => {
    const board = await server.admin.createBoard('Lifecycle');
    const inst = await install(server.admin, board.id, 'generic-ci');
    const base = `/api/boards/${board.id}/plugins/${inst.id}`;
    const renamed = await server.admin.ok(
      server.admin.patch<Installation>(base, { name: 'Nightly builds', enabled: false }),
    );
    expect(renamed).toMatchObject({ name: 'Nightly builds', enabled: false });
    const body = JSON.stringify(fixture('generic-ci', 'failed'));
    expect((await postHook(server.baseUrl, `/hooks/${inst.id}`, body, sign.bearer(inst.secret))).status).toBe(
      404,
    );
    expect((await server.admin.delete(base)).status).toBe(204);
    expect((await server.admin.get(base)).status).toBe(404);
    expect((await postHook(server.baseUrl, `/hooks/${inst.id}`, body, sign.bearer(inst.secret))).status).toBe(
      404,
    );
  });

  it('does not show one board’s installation through another board', async () => {
    const a = await server.admin.createBoard('A');
    const b = await server.admin.createBoard('B');
    const inst = await install(server.admin, a.id, 'generic-ci');
    expect((await server.admin.get(`/api/boards/${b.id}/plugins/${inst.id}`)).status).toBe(404);
    expect((await server.admin.get(`/api/boards/${b.id}/plugins/${inst.id}/deliveries`)).status).toBe(404);
  });
});

describe('the delivery log', () => {
  it('pages newest first and filters by status', async () => {
    const board = await server.admin.createBoard('Log');
    const inst = await install(server.admin, board.id, 'generic-ci');
    for (let i = 0; i < 5; i++) {
      const body = JSON.stringify({ ...fixture('generic-ci', 'failed'), runId: `run-${i}` });
      await postHook(server.baseUrl, `/hooks/${inst.id}`, body, sign.bearer(inst.secret));
    }
    await postHook(server.baseUrl, `/hooks/${inst.id}`, '{}', sign.bearer('wrong'));
    const seen: string[] = [];
    let page: DeliveryPage = await deliveries(server.admin, board.id, inst.id, '?limit=2');
    for (;;) {
      seen.push(...page.items.map((d) => d.id));
      if (!page.nextBefore) break;
      page = await deliveries(server.admin, board.id, inst.id, `?limit=2&before=${page.nextBefore}`);
    }
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
    const rejected = await deliveries(server.admin, board.id, inst.id, '?status=rejected');
    expect(rejected.items).toHaveLength(1);
    expect(rejected.items[0]!.id).toBe(seen[0]);
    expect(
      (await server.admin.get(`/api/boards/${board.id}/plugins/${inst.id}/deliveries?before=nope`)).status,
    ).toBe(400);
  });
});

describe('documentation', () => {
  it('describes the plugin API and the inbound webhook in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${server.baseUrl}/api/docs/json`)).json()) as {
      paths: Record<string, unknown>;
    };
    for (const p of [
      '/api/plugins',
      '/api/boards/{boardId}/plugins',
      '/api/boards/{boardId}/plugins/{installationId}/secret',
      '/api/boards/{boardId}/plugins/{installationId}/deliveries',
      '/api/boards/{boardId}/plugins/{installationId}/deliveries/{deliveryId}/replay',
      '/api/boards/{boardId}/plugin-tickets/{cardId}',
      '/hooks/{installationId}',
    ]) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
  });
});
