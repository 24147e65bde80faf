/**
 * Webhook ingestion through the real HTTP endpoint on a real database: verification both ways,
 * malformed and oversize bodies, idempotency, 50 concurrent copies, recovery and recurrence per
 * installation config, routing, and a ticket appearing live on an open board.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardEvent, Card, Column, Snapshot } from '../../protocol/model.ts';
import type { PluginTicket } from '../../protocol/plugin.ts';
import { eventually, socketFor, startServer, type TestServer } from '../../test/harness.ts';
import {
  deliveries,
  delivery,
  fixture,
  fixtureText,
  install,
  intoActiveSprint,
  pluginCards,
  postHook,
  sign,
  sourceOf,
} from './test-tools.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ WEBHOOK_BODY_LIMIT_BYTES: String(64 * 1024) });
});
afterAll(async () => {
  await server?.close();
});

/** A GitHub workflow_run of the fixture's workflow, as run number `n`. */
function githubRun(n: number, conclusion = 'failure', branch = 'main'): string {
  const payload = fixture<{ workflow_run: Record<string, unknown> }>(
    'github-actions',
    'workflow_run.completed.failure',
  );
  Object.assign(payload.workflow_run, {
    id: 90_000_000 + n,
    run_number: 5000 + n,
    conclusion,
    head_branch: branch,
    html_url: `https://github.com/acme-payments/payments-api/actions/runs/${90_000_000 + n}`,
  });
  return JSON.stringify(payload);
}

async function sendGithub(inst: { inboundUrl: string; secret: string }, body: string, delivery?: string) {
  return postHook(
    server.baseUrl,
    inst.inboundUrl,
    body,
    sign.github(inst.secret, body, 'workflow_run', delivery),
  );
}

async function columns(boardId: string): Promise<Column[]> {
  return (await server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${boardId}`))).columns;
}

async function onlyTicket(
  boardId: string,
  plugin: string,
  check: (c: Card) => boolean = () => true,
): Promise<Card> {
  const [card] = await eventually(async () => {
    const cards = await pluginCards(server.admin, boardId, plugin);
    return cards.length === 1 && check(cards[0]!) ? cards : null;
  });
  return card!;
}

async function allProcessed(boardId: string, installationId: string, count: number) {
  return eventually(async () => {
    const page = await deliveries(server.admin, boardId, installationId, '?limit=200');
    const processed = page.items.filter((d) => d.status === 'processed');
    return processed.length >= count ? page.items : null;
  }, 20_000);
}

describe('a failed GitHub Actions run', () => {
  it('becomes one defect ticket at the top of the development backlog, marked with its source', async () => {
    const board = await server.admin.createBoard('Payments');
    const existing = await server.admin.createCard(board.id, { title: 'Older story' });
    const inst = await install(server.admin, board.id, 'github-actions');
    expect(inst.inboundUrl).toBe(`${server.baseUrl}/hooks/${inst.id}`);
    const body = fixtureText('github-actions', 'workflow_run.completed.failure');
    const res = await sendGithub(inst, body);
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('queued');

    const card = await onlyTicket(board.id, 'github-actions');
    expect(card).toMatchObject({
      type: 'defect_automated',
      stream: 'development',
      priority: 'high',
      classOfService: 'standard',
      columnId: null,
      title: 'CI failing on main (acme-payments/payments-api)',
    });
    expect(card.rank < existing.rank).toBe(true);
    expect(card.labels).toContain('sla:P2');
    expect(card.source).toMatchObject({
      plugin: 'github-actions',
      kind: 'ci_failure',
      url: 'https://github.com/acme-payments/payments-api/actions/runs/11842206731',
      occurrences: 1,
      branch: 'main',
    });
    const history = await server.admin.ok(
      server.admin.get<BoardEvent[]>(`/api/boards/${board.id}/cards/${card.id}/history`),
    );
    expect(history.at(-1)?.actor).toEqual({ id: null, label: 'plugin:github-actions' });

    const log = await deliveries(server.admin, board.id, inst.id);
    expect(log.items[0]).toMatchObject({
      verification: 'passed',
      status: 'processed',
      outcome: 'created',
      httpStatus: 202,
      attempts: 1,
      cardIds: [card.id],
      replayable: true,
    });
    const detail = await delivery(server.admin, board.id, inst.id, log.items[0]!.id);
    expect((detail.payload as { action: string }).action).toBe('completed');
    expect(detail.headers['x-github-event']).toBe('workflow_run');
    expect(detail.results[0]).toMatchObject({
      op: 'raise',
      result: 'created',
      cardId: card.id,
      cardKey: card.key,
    });
  });
});

describe('verification', () => {
  it('refuses a wrong or missing signature with 401, creates nothing, and still logs the attempt', async () => {
    const board = await server.admin.createBoard('Signatures');
    const inst = await install(server.admin, board.id, 'github-actions');
    const body = githubRun(1);
    const forged = await postHook(server.baseUrl, inst.inboundUrl, body, sign.github('not-the-secret', body));
    expect(forged.status).toBe(401);
    expect(forged.body).toMatchObject({ error: 'UNAUTHENTICATED' });
    expect(forged.body.message).toMatch(/X-Hub-Signature-256 does not match/);

    const unsigned = await postHook(server.baseUrl, inst.inboundUrl, body, {
      'x-github-event': 'workflow_run',
    });
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.message).toMatch(/missing X-Hub-Signature-256/);

    // The body was signed, then changed by one byte on the way: the raw bytes decide.
    const tampered = await postHook(
      server.baseUrl,
      inst.inboundUrl,
      body.replace('"failure"', '"success"'),
      sign.github(inst.secret, body),
    );
    expect(tampered.status).toBe(401);

    const log = await deliveries(server.admin, board.id, inst.id);
    expect(log.items).toHaveLength(3);
    for (const d of log.items) {
      expect(d).toMatchObject({
        verification: 'failed',
        status: 'rejected',
        httpStatus: 401,
        replayable: false,
      });
    }
    const detail = await delivery(server.admin, board.id, inst.id, log.items[0]!.id);
    expect(detail.error).toMatch(/verification failed/);
    const replay = await server.admin.post(
      `/api/boards/${board.id}/plugins/${inst.id}/deliveries/${log.items[0]!.id}/replay`,
    );
    expect(replay.status).toBe(409);
    expect(await pluginCards(server.admin, board.id)).toHaveLength(0);
  });

  it('accepts the same body signed with the right secret, byte for byte', async () => {
    const board = await server.admin.createBoard('Signatures 2');
    const inst = await install(server.admin, board.id, 'github-actions');
    const spaced = JSON.stringify(JSON.parse(githubRun(2)), null, 4); // not how we would serialise it
    expect((await sendGithub(inst, spaced)).status).toBe(202);
    await onlyTicket(board.id, 'github-actions');
  });

  it('never stores the credentials a tool sends', async () => {
    const board = await server.admin.createBoard('Credentials');
    const inst = await install(server.admin, board.id, 'generic-ci');
    const body = fixtureText('generic-ci', 'failed');
    expect((await postHook(server.baseUrl, inst.inboundUrl, body, sign.bearer(inst.secret))).status).toBe(
      202,
    );
    const [d] = (await deliveries(server.admin, board.id, inst.id)).items;
    const detail = await delivery(server.admin, board.id, inst.id, d!.id);
    expect(detail.headers.authorization).toBeUndefined();
    expect(JSON.stringify(detail)).not.toContain(inst.secret);
  });

  it('rotates the secret: the old one stops working, the new one works; a grace period keeps both', async () => {
    const board = await server.admin.createBoard('Rotation');
    const inst = await install(server.admin, board.id, 'generic-ci');
    const body = fixtureText('generic-ci', 'failed');
    const rotated = await server.admin.ok(
      server.admin.post<{ secret: string }>(`/api/boards/${board.id}/plugins/${inst.id}/secret`, {}),
    );
    expect(rotated.secret).not.toBe(inst.secret);
    expect((await postHook(server.baseUrl, inst.inboundUrl, body, sign.bearer(inst.secret))).status).toBe(
      401,
    );
    expect((await postHook(server.baseUrl, inst.inboundUrl, body, sign.bearer(rotated.secret))).status).toBe(
      202,
    );

    const chosen = 'pagerduty-generated-signing-secret-0123456789';
    const withGrace = await server.admin.ok(
      server.admin.post<{ secret: string; previousSecretValidUntil: string | null }>(
        `/api/boards/${board.id}/plugins/${inst.id}/secret`,
        { secret: chosen, graceMinutes: 10 },
      ),
    );
    expect(withGrace.secret).toBe(chosen);
    expect(withGrace.previousSecretValidUntil).not.toBeNull();
    const other = JSON.stringify({ ...JSON.parse(body), runId: '9999' });
    expect((await postHook(server.baseUrl, inst.inboundUrl, other, sign.bearer(rotated.secret))).status).toBe(
      202,
    );
    expect(
      (await postHook(server.baseUrl, inst.inboundUrl, other, sign.blendboard(chosen, other))).status,
    ).toBe(200);
  });

  it('refuses deliveries to a disabled installation and to an unknown one', async () => {
    const board = await server.admin.createBoard('Disabled');
    const inst = await install(server.admin, board.id, 'generic-ci');
    await server.admin.ok(
      server.admin.patch(`/api/boards/${board.id}/plugins/${inst.id}`, { enabled: false }),
    );
    const body = fixtureText('generic-ci', 'failed');
    expect((await postHook(server.baseUrl, inst.inboundUrl, body, sign.bearer(inst.secret))).status).toBe(
      404,
    );
    const unknown = await postHook(
      server.baseUrl,
      `/hooks/${crypto.randomUUID()}`,
      body,
      sign.bearer(inst.secret),
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('NOT_FOUND');
    expect(await pluginCards(server.admin, board.id)).toHaveLength(0);
  });
});

describe('bad requests', () => {
  it('answers a malformed body with 400 and a message, and logs it', async () => {
    const board = await server.admin.createBoard('Malformed');
    const inst = await install(server.admin, board.id, 'generic-ci');
    const broken = '{"pipeline": "api", "status": "failed"';
    const res = await postHook(server.baseUrl, inst.inboundUrl, broken, sign.bearer(inst.secret));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'VALIDATION_FAILED', field: 'body' });
    expect(res.body.message).toMatch(/not valid JSON/);

    const wrongShape = JSON.stringify({ pipeline: 'api', status: 'exploded' });
    const shape = await postHook(server.baseUrl, inst.inboundUrl, wrongShape, sign.bearer(inst.secret));
    expect(shape.status).toBe(400);
    expect(shape.body.field).toBe('status');

    const log = await deliveries(server.admin, board.id, inst.id);
    expect(log.items.map((d) => [d.status, d.httpStatus, d.verification])).toEqual([
      ['rejected', 400, 'passed'],
      ['rejected', 400, 'passed'],
    ]);
    expect(await pluginCards(server.admin, board.id)).toHaveLength(0);
  });

  it('answers a body over the limit with 413 and logs it', async () => {
    const board = await server.admin.createBoard('Oversize');
    const inst = await install(server.admin, board.id, 'generic-ci');
    const huge = JSON.stringify({ pipeline: 'api', status: 'failed', message: 'x'.repeat(70 * 1024) });
    const res = await postHook(server.baseUrl, inst.inboundUrl, huge, sign.bearer(inst.secret));
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('PAYLOAD_TOO_LARGE');
    const [d] = (await deliveries(server.admin, board.id, inst.id)).items;
    expect(d).toMatchObject({ status: 'rejected', httpStatus: 413, verification: 'not_checked' });
    expect(d!.bodyBytes).toBeGreaterThan(64 * 1024);
  });
});

describe('deduplication', () => {
  it('processes the same delivery id once, however often it arrives', async () => {
    const board = await server.admin.createBoard('Idempotent');
    const inst = await install(server.admin, board.id, 'github-actions');
    const body = githubRun(10);
    const id = crypto.randomUUID();
    const first = await sendGithub(inst, body, id);
    const again = await sendGithub(inst, body, id);
    expect(first.status).toBe(202);
    expect(again).toMatchObject({
      status: 200,
      body: { status: 'duplicate', deliveryId: first.body.deliveryId },
    });
    const card = await onlyTicket(board.id, 'github-actions');
    const [d] = (await deliveries(server.admin, board.id, inst.id)).items;
    expect(d).toMatchObject({ duplicates: 1, status: 'processed' });
    expect(sourceOf(card).occurrences).toBe(1);
  });

  it('turns 50 concurrent failures of one pipeline into exactly one ticket with 50 occurrences', async () => {
    const board = await server.admin.createBoard('Fifty');
    const inst = await install(server.admin, board.id, 'github-actions');
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => sendGithub(inst, githubRun(100 + i))),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(50).fill(202));

    const items = await allProcessed(board.id, inst.id, 50);
    const outcomes = items.map((d) => d.outcome).sort();
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'updated')).toHaveLength(49);
    const cards = await pluginCards(server.admin, board.id);
    expect(cards).toHaveLength(1);
    expect(sourceOf(cards[0]!).occurrences).toBe(50);
    const ticket = await server.admin.ok(
      server.admin.get<PluginTicket>(`/api/boards/${board.id}/plugin-tickets/${cards[0]!.id}`),
    );
    expect(ticket).toMatchObject({
      occurrences: 50,
      status: 'firing',
      dedupKey: expect.stringContaining(':main'),
    });
  });

  it('keeps failures of different branches apart', async () => {
    const board = await server.admin.createBoard('Branches');
    const inst = await install(server.admin, board.id, 'github-actions');
    await sendGithub(inst, githubRun(200, 'failure', 'main'));
    await sendGithub(inst, githubRun(201, 'failure', 'feature/retry'));
    const cards = await eventually(async () => {
      const c = await pluginCards(server.admin, board.id);
      return c.length === 2 ? c : null;
    });
    const feature = cards.find((c) => c.title.includes('feature/retry'))!;
    const main = cards.find((c) => c.title.includes('on main'))!;
    // Routing: the default branch goes to the top with high priority; others to the bottom, medium.
    expect(feature).toMatchObject({ priority: 'medium' });
    expect(main).toMatchObject({ priority: 'high' });
    expect(main.rank < feature.rank).toBe(true);
  });
});

describe('recovery and recurrence', () => {
  /** A failure whose ticket the team takes into the active sprint, then a green run. */
  async function failThenRecover(config: Record<string, unknown>) {
    const board = await server.admin.createBoard('Recovery');
    const inst = await install(server.admin, board.id, 'github-actions', config);
    await sendGithub(inst, githubRun(300));
    const raised = await onlyTicket(board.id, 'github-actions');
    await intoActiveSprint(server.admin, board.id, raised.id);
    const planned = await onlyTicket(board.id, 'github-actions');
    await sendGithub(inst, githubRun(301, 'success'));
    await allProcessed(board.id, inst.id, 2);
    const card = await onlyTicket(board.id, 'github-actions');
    return { board, inst, planned, card, cols: await columns(board.id) };
  }

  const comments = (boardId: string, cardId: string) =>
    server.admin.ok(
      server.admin.get<{ body: string; author: string }[]>(`/api/boards/${boardId}/cards/${cardId}/comments`),
    );

  it('resolves the ticket when the pipeline is green again (default), with a note', async () => {
    const { board, card, cols } = await failThenRecover({});
    const done = cols.find((c) => c.stream === 'development' && c.category === 'done')!;
    expect(card.columnId).toBe(done.id);
    expect(card.doneAt).not.toBeNull();
    expect(sourceOf(card).status).toBe('recovered');
    const notes = await comments(board.id, card.id);
    expect(notes.at(-1)).toMatchObject({ author: 'plugin:github-actions' });
    expect(notes.at(-1)!.body).toMatch(/Recovered\. Run #5301 of CI passed/);
  });

  it('leaves a development ticket that is in no sprint in the backlog, marked recovered, saying why: a person could not move it to Done either', async () => {
    const board = await server.admin.createBoard('Backlog defect');
    const inst = await install(server.admin, board.id, 'github-actions');
    const cols = await columns(board.id);
    const done = cols.find((c) => c.stream === 'development' && c.category === 'done')!;
    await sendGithub(inst, githubRun(310));
    const raised = await onlyTicket(board.id, 'github-actions');
    // A sprint is running, but the defect is not in it.
    await intoActiveSprint(server.admin, board.id, (await server.admin.createCard(board.id)).id);
    const person = await server.admin.post(`/api/boards/${board.id}/cards/${raised.id}/move`, {
      columnId: done.id,
    });
    expect(person.status).toBe(400);
    const refusal = (person.body as { message: string }).message.replace(/^columnId: /, '');

    await sendGithub(inst, githubRun(311, 'success'));
    await allProcessed(board.id, inst.id, 2);
    const card = await onlyTicket(board.id, 'github-actions');
    expect(card).toMatchObject({ columnId: null, sprintId: null, doneAt: null });
    expect(sourceOf(card).status).toBe('recovered');
    const notes = await comments(board.id, card.id);
    expect(notes.map((n) => n.body)).toEqual([
      expect.stringMatching(/^Recovered\. Run #5311/),
      `Not moved to "Done": ${refusal}.`,
    ]);
    const [last] = (await deliveries(server.admin, board.id, inst.id)).items;
    const detail = await delivery(server.admin, board.id, inst.id, last!.id);
    expect(detail.results).toEqual([
      expect.objectContaining({
        op: 'recover',
        result: 'annotated',
        message: `not moved to "Done": ${refusal}`,
      }),
    ]);

    // Another green run says nothing new; once the team takes it into the sprint, the next one resolves it.
    await sendGithub(inst, githubRun(312, 'success'));
    await allProcessed(board.id, inst.id, 3);
    expect(await comments(board.id, card.id)).toHaveLength(2);
    expect((await onlyTicket(board.id, 'github-actions')).columnId).toBeNull();
    await intoActiveSprint(server.admin, board.id, card.id);
    await sendGithub(inst, githubRun(313, 'success'));
    const resolved = await onlyTicket(board.id, 'github-actions', (c) => c.columnId === done.id);
    expect(resolved.doneAt).not.toBeNull();
    expect(await comments(board.id, card.id)).toHaveLength(2);
  });

  it('moves it to review instead, when configured', async () => {
    const { card, cols } = await failThenRecover({ lifecycle: { onRecovery: 'review' } });
    expect(card.columnId).toBe(cols.find((c) => c.name === 'Review')!.id);
    expect(card.doneAt).toBeNull();
  });

  it('only annotates it, when configured', async () => {
    const { board, planned, card } = await failThenRecover({ lifecycle: { onRecovery: 'annotate' } });
    expect(card).toMatchObject({ columnId: planned.columnId, doneAt: null });
    expect((await comments(board.id, card.id)).at(-1)!.body).toMatch(/Recovered/);
  });

  it('reopens the resolved ticket when the pipeline fails again (default)', async () => {
    const { board, inst, card } = await failThenRecover({});
    await sendGithub(inst, githubRun(302));
    const reopened = await onlyTicket(board.id, 'github-actions', (c) => c.doneAt === null);
    expect(reopened.id).toBe(card.id);
    expect(reopened.columnId).toBeNull();
    expect(sourceOf(reopened).occurrences).toBe(2);
    expect((await comments(board.id, card.id)).at(-1)!.body).toMatch(/Reopened/);
    const [last] = (await deliveries(server.admin, board.id, inst.id)).items;
    expect(last!.outcome).toBe('reopened');
  });

  it('raises a new ticket linked to the old one instead, when configured', async () => {
    const { board, inst, card } = await failThenRecover({ lifecycle: { onRecurrence: 'new' } });
    await sendGithub(inst, githubRun(303));
    const cards = await eventually(async () => {
      const c = await pluginCards(server.admin, board.id);
      return c.length === 2 ? c : null;
    });
    const fresh = cards.find((c) => c.id !== card.id)!;
    expect(fresh.doneAt).toBeNull();
    expect(sourceOf(fresh).occurrences).toBe(1);
    const ticket = await server.admin.ok(
      server.admin.get<PluginTicket>(`/api/boards/${board.id}/plugin-tickets/${fresh.id}`),
    );
    expect(ticket.links).toEqual([
      expect.objectContaining({ cardId: card.id, kind: 'recurrence_of', direction: 'outgoing' }),
    ]);
  });

  it('applies a burst for one pipeline in arrival order: fail, pass, fail again ends reopened', async () => {
    const board = await server.admin.createBoard('Burst');
    const inst = await install(server.admin, board.id, 'github-actions');
    await sendGithub(inst, githubRun(500));
    await intoActiveSprint(server.admin, board.id, (await onlyTicket(board.id, 'github-actions')).id);
    // Sent back to back, without waiting: they may share one round of the installation's lane.
    for (const body of [githubRun(501), githubRun(502, 'success'), githubRun(503)])
      await sendGithub(inst, body);
    const items = await allProcessed(board.id, inst.id, 4);
    expect(items.map((d) => d.outcome)).toEqual(['reopened', 'resolved', 'updated', 'created']);
    const card = await onlyTicket(board.id, 'github-actions');
    expect(card.doneAt).toBeNull();
    expect(sourceOf(card).occurrences).toBe(3);
  });

  it('does not count a replayed delivery twice', async () => {
    const board = await server.admin.createBoard('Replay');
    const inst = await install(server.admin, board.id, 'github-actions');
    await sendGithub(inst, githubRun(400));
    const [d] = await allProcessed(board.id, inst.id, 1);
    const replay = await server.admin.post(
      `/api/boards/${board.id}/plugins/${inst.id}/deliveries/${d!.id}/replay`,
    );
    expect(replay.status).toBe(202);
    await eventually(async () => {
      const again = await delivery(server.admin, board.id, inst.id, d!.id);
      return again.status === 'processed' && again.attempts === 2 ? again : null;
    });
    const card = await onlyTicket(board.id, 'github-actions');
    expect(sourceOf(card).occurrences).toBe(1);
  });
});

describe('routing and live updates', () => {
  it('puts a critical alert in the maintenance stream, expedite lane, top, and shows it live', async () => {
    const board = await server.admin.createBoard('Operations');
    const inst = await install(server.admin, board.id, 'alertmanager');
    const socket = await socketFor(server, server.admin);
    try {
      const join = await socket.emitWithAck('board:join', { boardId: board.id });
      expect(join.ok).toBe(true);
      const seen: BoardEvent[] = [];
      socket.on('board:events', (batch) => seen.push(...batch));

      const body = fixtureText('alertmanager', 'firing');
      expect((await postHook(server.baseUrl, inst.inboundUrl, body, sign.bearer(inst.secret))).status).toBe(
        202,
      );

      const created = await eventually(() => {
        const c = seen.filter((e) => e.type === 'card.created');
        return c.length === 2 ? c : null;
      });
      const card = created[0]!.payload.card as Card;
      expect(created[0]!.actor.label).toBe('plugin:alertmanager');
      expect(card).toMatchObject({
        type: 'incident',
        stream: 'maintenance',
        classOfService: 'expedite',
        priority: 'critical',
        columnId: null,
      });
      expect(card.source).toMatchObject({
        plugin: 'alertmanager',
        severity: 'critical',
        slaTier: 'P1',
        service: 'payments-api',
      });
    } finally {
      socket.disconnect();
    }
  });

  it('routes by the installation rules: a low-severity incident to the standard lane, bottom', async () => {
    const board = await server.admin.createBoard('Routing');
    const inst = await install(server.admin, board.id, 'generic-incident', {
      routing: { slaTier: { low: 'best-effort' }, priority: { low: 'low' } },
    });
    const body = JSON.stringify({ ...fixture('generic-incident', 'triggered'), severity: 'low' });
    await postHook(server.baseUrl, inst.inboundUrl, body, sign.bearer(inst.secret));
    const card = await onlyTicket(board.id, 'generic-incident');
    expect(card).toMatchObject({ stream: 'maintenance', classOfService: 'standard', priority: 'low' });
    expect(card.labels).toContain('sla:best-effort');
  });
});
