/**
 * A third-party plugin loaded from PLUGIN_DIR that misbehaves on purpose: it throws, hangs, returns
 * garbage or asks for an invalid action. The server keeps serving, the delivery is recorded as
 * failed, retried with backoff, and replays once the cause is fixed. Its board-event hook runs too.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Card, Snapshot } from '../../protocol/model.ts';
import type { DeliveryDetail, PluginInfo } from '../../protocol/plugin.ts';
import { eventually, startServer, type TestServer } from '../../test/harness.ts';
import { deliveries, delivery, fixtureText, install, pluginCards, postHook, sign } from './test-tools.ts';

const FLAKY_PLUGIN = `
// A third-party plugin as an author would ship it: plain ESM, a JSON-schema config, no imports.
export default {
  id: 'flaky',
  name: 'Flaky test plugin',
  version: '0.0.1',
  apiVersion: 1,
  configSchema: {
    type: 'object',
    properties: { mode: { enum: ['ok', 'throw', 'hang', 'garbage', 'invalid'] } },
    required: ['mode'],
    additionalProperties: false,
  },
  webhooks: {
    events: {
      verify(req, ctx) {
        const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
        return (m !== null && ctx.safeEqual(m[1], ctx.secret)) || 'bad token';
      },
      handle(payload, ctx) {
        switch (ctx.config.mode) {
          case 'throw':
            throw new Error('flaky plugin exploded');
          case 'hang':
            return new Promise(() => {});
          case 'garbage':
            return 42;
          case 'invalid':
            ctx.tickets.raise({ dedupKey: payload.key, kind: 'incident' });
            return;
          default:
            ctx.tickets.raise({ dedupKey: payload.key, kind: 'incident', title: payload.title });
            return { summary: 'raised ' + payload.key };
        }
      },
    },
  },
  hooks: {
    'card.resolved'(event, ctx) {
      ctx.tickets.comment(
        { cardId: event.cardId },
        'Resolved by ' + event.actor.label + ': "' + ctx.card.title + '" (' + ctx.card.type + '), noted by flaky.',
      );
    },
  },
};
`;

let dir: string;
let server: TestServer;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'bb-plugins-'));
  writeFileSync(path.join(dir, 'flaky.mjs'), FLAKY_PLUGIN);
  writeFileSync(path.join(dir, 'broken.mjs'), 'export default { id: "Broken!", name: "x" };');
  server = await startServer({
    PLUGIN_DIR: dir,
    PLUGIN_TIMEOUT_MS: '1500',
    PLUGIN_RETRY_LIMIT: '1',
    PLUGIN_RETRY_DELAY_SECONDS: '1',
  });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function flaky(mode: string) {
  const board = await server.admin.createBoard(`Flaky ${mode}`);
  const inst = await install(server.admin, board.id, 'flaky', { mode });
  const send = (key: string) =>
    postHook(
      server.baseUrl,
      inst.inboundUrl,
      JSON.stringify({ key, title: `Incident ${key}` }),
      sign.bearer(inst.secret),
    );
  return { board, inst, send };
}

async function finallyFailed(
  boardId: string,
  installationId: string,
  deliveryId: string,
): Promise<DeliveryDetail> {
  return eventually(async () => {
    const d = await delivery(server.admin, boardId, installationId, deliveryId);
    return d.status === 'failed' && !d.retrying ? d : null;
  }, 15_000);
}

describe('third-party plugins', () => {
  it('loads a plugin from PLUGIN_DIR and reports one that does not check out, without failing', async () => {
    const res = await server.admin.ok(
      server.admin.get<{ plugins: PluginInfo[]; loadErrors: { location: string; message: string }[] }>(
        '/api/plugins',
      ),
    );
    expect(res.plugins.find((p) => p.id === 'flaky')).toMatchObject({
      source: 'directory',
      hooks: ['card.resolved'],
    });
    expect(res.plugins.filter((p) => p.source === 'builtin')).toHaveLength(14);
    expect(res.loadErrors).toEqual([
      expect.objectContaining({ location: expect.stringContaining('broken.mjs') }),
    ]);
    expect(res.loadErrors[0]!.message).toMatch(/id must be/);
  });
});

describe('a plugin that fails', () => {
  it('throws: the delivery is failed, retried with backoff, and replays once the config is fixed', async () => {
    const { board, inst, send } = await flaky('throw');
    const ack = await send('INC-1');
    expect(ack.status).toBe(202); // stored before anything ran: the sender is done
    const failed = await finallyFailed(board.id, inst.id, ack.body.deliveryId!);
    expect(failed).toMatchObject({ attempts: 2, error: 'flaky plugin exploded', replayable: true });
    expect(await pluginCards(server.admin, board.id)).toHaveLength(0);
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);

    await server.admin.ok(
      server.admin.patch(`/api/boards/${board.id}/plugins/${inst.id}`, { config: { mode: 'ok' } }),
    );
    const replay = await server.admin.post(
      `/api/boards/${board.id}/plugins/${inst.id}/deliveries/${ack.body.deliveryId}/replay`,
    );
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ status: 'queued' });
    const done = await eventually(async () => {
      const d = await delivery(server.admin, board.id, inst.id, ack.body.deliveryId!);
      return d.status === 'processed' ? d : null;
    });
    expect(done).toMatchObject({ outcome: 'created', error: null, attempts: 3, summary: 'raised INC-1' });
    expect(await pluginCards(server.admin, board.id, 'flaky')).toHaveLength(1);
  });

  it('hangs: other deliveries go on, the server answers, and the hung one times out as failed', async () => {
    const { board, inst, send } = await flaky('hang');
    const healthy = await server.admin.createBoard('Healthy');
    const ci = await install(server.admin, healthy.id, 'generic-ci');
    const hung = await send('INC-2');
    const body = fixtureText('generic-ci', 'failed');
    const ok = await postHook(server.baseUrl, ci.inboundUrl, body, sign.bearer(ci.secret));

    const processed = await eventually(async () => {
      const d = await delivery(server.admin, healthy.id, ci.id, ok.body.deliveryId!);
      return d.status === 'processed' ? d : null;
    });
    const stillHanging = await delivery(server.admin, board.id, inst.id, hung.body.deliveryId!);
    expect(processed.outcome).toBe('created');
    expect(stillHanging.status).toBe('queued');
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);

    const failed = await finallyFailed(board.id, inst.id, hung.body.deliveryId!);
    expect(failed.error).toBe('plugin "flaky" webhook "events" did not finish within 1500 ms');
  });

  it('returns garbage or asks for an invalid action: failed with a message that says so', async () => {
    const garbage = await flaky('garbage');
    const g = await garbage.send('INC-3');
    expect((await finallyFailed(garbage.board.id, garbage.inst.id, g.body.deliveryId!)).error).toMatch(
      /returned 42; a handler returns nothing or \{ summary: string \}/,
    );
    const invalid = await flaky('invalid');
    const i = await invalid.send('INC-4');
    expect((await finallyFailed(invalid.board.id, invalid.inst.id, i.body.deliveryId!)).error).toMatch(
      /invalid raise action at \/ticket/,
    );
    const log = await deliveries(server.admin, invalid.board.id, invalid.inst.id, '?status=failed');
    expect(log.items).toHaveLength(1);
  });

  it('rejects a config its schema does not allow, naming the field', async () => {
    const board = await server.admin.createBoard('Flaky config');
    const res = await server.admin.post(`/api/boards/${board.id}/plugins`, {
      pluginId: 'flaky',
      config: { mode: 'wild' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'VALIDATION_FAILED', field: 'config.mode' });
  });
});

describe('board-event hooks', () => {
  it("runs the plugin's hook when someone resolves a card, attributing the comment to the plugin", async () => {
    const { board } = await flaky('ok');
    const card = await server.admin.createCard(board.id, {
      title: 'Ship the retry fix',
      type: 'incident',
      stream: 'maintenance',
    });
    const snapshot = await server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${board.id}`));
    const done = snapshot.columns.find((c) => c.stream === 'maintenance' && c.category === 'done')!;
    await server.admin.ok(
      server.admin.post<{ card: Card }>(`/api/boards/${board.id}/cards/${card.id}/move`, {
        columnId: done.id,
      }),
    );
    const notes = await eventually(async () => {
      const c = await server.admin.ok(
        server.admin.get<{ body: string; author: string }[]>(
          `/api/boards/${board.id}/cards/${card.id}/comments`,
        ),
      );
      return c.length > 0 ? c : null;
    });
    expect(notes).toEqual([
      expect.objectContaining({
        author: 'plugin:flaky',
        // The move's event carries the card's place only; the hook reads the rest from ctx.card.
        body: expect.stringMatching(/^Resolved by .*: "Ship the retry fix" \(incident\), noted by flaky\.$/),
      }),
    ]);
  });
});
