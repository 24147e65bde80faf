/**
 * Service requests by e-mail through the real webhook endpoint on a real database: the three mail
 * gateways' bodies as they post them (Mailgun signed multipart, SendGrid multipart with the secret in
 * the URL, Postmark JSON with basic auth), dedup by Message-ID, reply threading, a reply to a closed
 * request, the mail loop guard, and bad input answered 4xx naming the field.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FormFixture, multipartBody } from '../../plugins/inbound-email/fixtures/form.ts';
import { SERVICE_DESK_FLAG } from '../../protocol/flags.ts';
import type { Card, Snapshot } from '../../protocol/model.ts';
import type { InstallationWithSecret } from '../../protocol/plugin.ts';
import { eventually, memberWithRole, startServer, type TestServer } from '../../test/harness.ts';
import { deliveries, fixture, fixtureText, type HookReply, install, pluginCards } from './test-tools.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.close();
});

const SIGNING_KEY = 'key-9f2c1e7a5b3d4c6e8f0a1b2c3d4e5f60';
const MAILGUN_BOUNDARY = '5c1e0a7f3b2d4e6f8a9b0c1d2e3f4a5b';

async function post(
  inst: InstallationWithSecret,
  webhook: string,
  body: Buffer | string,
  contentType: string,
  headers: Record<string, string> = {},
  query = '',
): Promise<HookReply> {
  const url = new URL(`/hooks/${inst.id}/${webhook}${query}`, server.baseUrl);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType, ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

/** A Mailgun forward() post of the fixture mail, signed with `key` at `timestamp`. */
function mailgun(
  inst: InstallationWithSecret,
  overrides: Record<string, string> = {},
  signing: { key?: string; timestamp?: number } = {},
) {
  const timestamp = String(signing.timestamp ?? Math.floor(Date.now() / 1000));
  const token = `${crypto.randomUUID().replaceAll('-', '')}a1b2c3d4e5f6a7b8c9`;
  const signature = createHmac('sha256', signing.key ?? SIGNING_KEY)
    .update(timestamp + token)
    .digest('hex');
  const fx = fixture<FormFixture>('inbound-email', 'mailgun');
  const fields = fx.fields.map(([k, v]): [string, string] => [k, overrides[k] ?? v]);
  for (const [k, v] of Object.entries(overrides)) if (!fields.some(([f]) => f === k)) fields.push([k, v]);
  fields.push(['signature', signature], ['timestamp', timestamp], ['token', token]);
  return post(
    inst,
    'mailgun',
    multipartBody(MAILGUN_BOUNDARY, fields, fx.files),
    `multipart/form-data; boundary=${MAILGUN_BOUNDARY}`,
  );
}

function sendgrid(inst: InstallationWithSecret, change: (fields: [string, string][]) => [string, string][]) {
  const fields = change(fixture<FormFixture>('inbound-email', 'sendgrid').fields);
  return post(
    inst,
    'sendgrid',
    multipartBody('xYzZY', fields),
    'multipart/form-data; boundary=xYzZY',
    {},
    `?token=${encodeURIComponent(inst.secret)}`,
  );
}

function postmark(inst: InstallationWithSecret, change: (p: Record<string, unknown>) => void = () => {}) {
  const payload = JSON.parse(fixtureText('inbound-email', 'postmark')) as Record<string, unknown>;
  change(payload);
  const auth = `Basic ${Buffer.from(`blendboard:${inst.secret}`).toString('base64')}`;
  return post(inst, 'postmark', JSON.stringify(payload), 'application/json', { authorization: auth });
}

/** A board with the plugin installed and its secret set to Mailgun's signing key. */
async function mailDesk(name: string, config: Record<string, unknown> = {}) {
  const board = await server.admin.createBoard(name);
  const installed = await install(server.admin, board.id, 'inbound-email', config);
  const inst = await server.admin.ok(
    server.admin.post<InstallationWithSecret>(`/api/boards/${board.id}/plugins/${installed.id}/secret`, {
      secret: SIGNING_KEY,
    }),
  );
  return { board, inst };
}

const requests = (boardId: string) => pluginCards(server.admin, boardId, 'inbound-email');

async function processed(boardId: string, installationId: string, count: number) {
  return eventually(async () => {
    const page = await deliveries(server.admin, boardId, installationId, '?limit=100');
    const done = page.items.filter((d) => d.status === 'processed');
    return done.length >= count ? page.items : null;
  }, 20_000);
}

const comments = (boardId: string, cardId: string) =>
  server.admin.ok(
    server.admin.get<{ body: string; author: string }[]>(`/api/boards/${boardId}/cards/${cardId}/comments`),
  );

describe('a mail through Mailgun', () => {
  it('files one service request in the maintenance stream, however often Mailgun delivers it', async () => {
    const { board, inst } = await mailDesk('Service desk A');
    const first = await mailgun(inst);
    expect(first).toMatchObject({ status: 202, body: { status: 'queued' } });
    // Mailgun retries with a fresh timestamp, token and signature: the Message-Id makes it the same delivery.
    const again = await mailgun(inst);
    expect(again).toMatchObject({
      status: 200,
      body: { status: 'duplicate', deliveryId: first.body.deliveryId },
    });

    const [card] = await eventually(async () => {
      const cards = await requests(board.id);
      return cards.length === 1 ? cards : null;
    });
    expect(card).toMatchObject({
      type: 'service_request',
      stream: 'maintenance',
      title: 'Please add a user to the invoicing portal',
    });
    expect(card!.description).toMatch(/^Requested by e-mail by Jane Doe <jane\.doe@customer\.example>\./);
    expect(card!.description).toContain('approval-form.pdf');
    expect(card!.source).toMatchObject({
      plugin: 'inbound-email',
      kind: 'request',
      requester: { email: 'jane.doe@customer.example', name: 'Jane Doe' },
    });
    const log = await processed(board.id, inst.id, 1);
    expect(log).toHaveLength(1);
    expect(await requests(board.id)).toHaveLength(1);
  });

  it('with the service-desk flag off for the board, still files the request, as alerts still raise incidents', async () => {
    // The flag hides the service desk's screens (the portal among them); machine input keeps landing
    // on the board (SLA clocks and escalations run too), so no customer mail is lost while it is off.
    const { board, inst } = await mailDesk('Service desk off');
    const setFlag = (value: boolean | null) =>
      server.admin.ok(
        server.admin.put(`/api/flags/${SERVICE_DESK_FLAG}/overrides`, {
          boardId: board.id,
          value,
          reason: 'test',
        }),
      );
    await setFlag(false);
    try {
      expect(await mailgun(inst)).toMatchObject({ status: 202, body: { status: 'queued' } });
      await processed(board.id, inst.id, 1);
      expect(await requests(board.id)).toMatchObject([{ type: 'service_request' }]);
    } finally {
      await setFlag(null);
    }
  });

  it('refuses a wrong signature and a stale timestamp with 401, and logs both', async () => {
    const { board, inst } = await mailDesk('Service desk B');
    const forged = await mailgun(inst, {}, { key: 'key-not-the-signing-key-0000000000' });
    expect(forged.status).toBe(401);
    expect(forged.body.message).toMatch(/signature does not match/);
    const stale = await mailgun(inst, {}, { timestamp: Math.floor(Date.now() / 1000) - 2 * 3600 });
    expect(stale.status).toBe(401);
    expect(stale.body.message).toMatch(/stale/);
    const log = await deliveries(server.admin, board.id, inst.id);
    expect(log.items.map((d) => [d.verification, d.httpStatus])).toEqual([
      ['failed', 401],
      ['failed', 401],
    ]);
    expect(await requests(board.id)).toHaveLength(0);
  });
});

describe('triage', () => {
  it('assigns a mailed request to whoever is on AMS duty as it arrives, as the portal does', async () => {
    const { board, inst } = await mailDesk('Service desk triage');
    const ann = await memberWithRole(server, board.id, 'maintenance', 'ann');
    await server.admin.ok(
      server.admin.post(`/api/boards/${board.id}/oncall/rotas`, {
        name: 'AMS',
        duty: 'ams',
        rotation: false,
        members: [ann.userId],
        pattern: { kind: 'weekly', zone: 'UTC', handoffWeekday: 1, handoffTime: '09:00' },
        startDate: '2026-01-05',
      }),
    );
    expect((await mailgun(inst)).status).toBe(202);
    const [card] = await eventually(async () => {
      const cards = await requests(board.id);
      return cards.length === 1 ? cards : null;
    });
    expect(card).toMatchObject({ type: 'service_request', assigneeId: ann.userId });
  });
});

describe('replies', () => {
  it('a SendGrid reply (In-Reply-To) and a Postmark mail naming [KEY-n] comment on the request', async () => {
    const { board, inst } = await mailDesk('Service desk C');
    expect((await mailgun(inst)).status).toBe(202);
    const [card] = await eventually(async () => {
      const cards = await requests(board.id);
      return cards.length === 1 ? cards : null;
    });
    expect((await sendgrid(inst, (f) => f)).status).toBe(202);
    expect(
      (
        await postmark(inst, (p) => {
          p.Subject = `Re: [${card!.key}] Please add a user`;
        })
      ).status,
    ).toBe(202);
    const notes = await eventually(async () => {
      const c = await comments(board.id, card!.id);
      return c.length === 2 ? c : null;
    }, 20_000);
    expect(notes).toEqual([
      {
        ...notes[0],
        author: 'plugin:inbound-email',
        body: 'Reply by e-mail from Jane Doe <jane.doe@customer.example>:\n\nSorry, one more thing: he also needs read access to the archive.',
      },
      expect.objectContaining({
        body: expect.stringMatching(
          /^Reply by e-mail from Raj Patel <raj\.patel@customer\.example>:\n\nHi team,/,
        ),
      }),
    ]);
    expect(await requests(board.id)).toHaveLength(1);
  });

  it('a reply to a closed request reopens it, with the reply as a comment', async () => {
    const { board, inst } = await mailDesk('Service desk D');
    await mailgun(inst);
    const [card] = await eventually(async () => {
      const cards = await requests(board.id);
      return cards.length === 1 ? cards : null;
    });
    const snapshot = await server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${board.id}`));
    const done = snapshot.columns.find((c) => c.stream === 'maintenance' && c.category === 'done')!;
    await server.admin.ok(
      server.admin.post<{ card: Card }>(`/api/boards/${board.id}/cards/${card!.id}/move`, {
        columnId: done.id,
      }),
    );
    expect((await sendgrid(inst, (f) => f)).status).toBe(202);
    const reopened = await eventually(async () => {
      const [c] = await requests(board.id);
      return c && c.columnId === null && !c.doneAt ? c : null;
    }, 20_000);
    expect(reopened.id).toBe(card!.id);
    const notes = await comments(board.id, card!.id);
    expect(notes.map((n) => n.body)).toEqual([
      'Reopened: Jane Doe <jane.doe@customer.example> replied by e-mail after it was closed.',
      expect.stringMatching(/^Reply by e-mail from Jane Doe/),
    ]);
  });
});

describe('the mail loop guard and bad input', () => {
  it('an auto-reply is logged as ignored and files nothing', async () => {
    const { board, inst } = await mailDesk('Service desk E');
    const res = await postmark(inst, (p) => {
      (p.Headers as { Name: string; Value: string }[]).push({
        Name: 'Auto-Submitted',
        Value: 'auto-replied',
      });
    });
    expect(res.status).toBe(202);
    const [entry] = await processed(board.id, inst.id, 1);
    expect(entry).toMatchObject({ outcome: 'ignored' });
    expect(entry!.summary).toMatch(/automatic mail \(Auto-Submitted: auto-replied\)/);
    expect(await requests(board.id)).toHaveLength(0);
  });

  it('answers 400 naming the field, 401 without the URL secret', async () => {
    const { inst } = await mailDesk('Service desk F');
    const noHeaders = await sendgrid(inst, (f) => f.filter(([k]) => k !== 'headers'));
    expect(noHeaders).toMatchObject({ status: 400, body: { field: 'headers' } });
    const noSender = await postmark(inst, (p) => {
      delete p.FromFull;
    });
    expect(noSender).toMatchObject({ status: 400, body: { field: 'FromFull.Email' } });
    const noMessageId = await mailgun(inst, { 'Message-Id': '', 'message-headers': '[]' });
    expect(noMessageId).toMatchObject({ status: 400, body: { field: 'Message-Id' } });
    const broken = await post(
      inst,
      'sendgrid',
      '--xYzZY\r\nContent-Disposition: form-data; name="to"\r\n\r\nx',
      'multipart/form-data',
      {},
      `?token=${inst.secret}`,
    );
    expect(broken).toMatchObject({ status: 400, body: { field: 'body' } });
    // Without the secret the same garbage is a 401: nothing about the body is told to a stranger.
    const brokenAnonymous = await post(inst, 'sendgrid', '--xYzZY\r\nbroken', 'multipart/form-data');
    expect(brokenAnonymous.status).toBe(401);
    const anonymous = await post(
      inst,
      'sendgrid',
      multipartBody('xYzZY', fixture<FormFixture>('inbound-email', 'sendgrid').fields),
      'multipart/form-data; boundary=xYzZY',
    );
    expect(anonymous.status).toBe(401);
  });
});
