import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PayloadError, type TicketView } from '../../protocol/plugin.ts';
import {
  configWithDefaults,
  inboundFormRequest,
  inboundRequest,
  parsePayload,
  testWebhookContext,
  verifyContext,
} from '../../protocol/plugin-testkit.ts';
import { type FormFixture, multipartBody, urlencodedBody } from './fixtures/form.ts';
import plugin, { keyOf } from './index.ts';
import { autoSubmittedReason, cardKeyIn, messageIds, parseAddress, stripQuotedReply } from './mail.ts';

const { mailgun, sendgrid, postmark } = plugin.webhooks!;
const config = configWithDefaults(plugin.configSchema);
const KEY = 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0';
const fixtureText = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const fixture = (name: string) => JSON.parse(fixtureText(`${name}.json`)) as FormFixture;
const MAILGUN_BOUNDARY = '7d8a9a1b2c3e4f506172839a0b1c2d3e';

/** Mailgun's fields, signed as Mailgun signs them: hex HMAC-SHA256(key, timestamp + token). */
function mailgunFields(
  overrides: Record<string, string> = {},
  signing: { key?: string; timestamp?: number } = {},
): [string, string][] {
  const timestamp = String(signing.timestamp ?? Math.floor(Date.now() / 1000));
  const token = 'c0e6f5d4b3a29180f7e6d5c4b3a2918070f6e5d4c3b2a19080';
  const signature = createHmac('sha256', signing.key ?? KEY)
    .update(timestamp + token)
    .digest('hex');
  const fields = fixture('mailgun').fields.map(([k, v]): [string, string] => [k, overrides[k] ?? v]);
  for (const [k, v] of Object.entries(overrides)) if (!fields.some(([f]) => f === k)) fields.push([k, v]);
  return [...fields, ['signature', signature], ['timestamp', timestamp], ['token', token]];
}

const mailgunRequest = (fields: [string, string][], files = fixture('mailgun').files) =>
  inboundFormRequest(
    multipartBody(MAILGUN_BOUNDARY, fields, files),
    `multipart/form-data; boundary=${MAILGUN_BOUNDARY}`,
  );

const sendgridRequest = (fields = fixture('sendgrid').fields, query: Record<string, string> = {}) =>
  inboundFormRequest(multipartBody('xYzZY', fields), 'multipart/form-data; boundary=xYzZY', {}, query);

const basic = (password: string) => ({
  authorization: `Basic ${Buffer.from(`blendboard:${password}`).toString('base64')}`,
});

const view = (over: Partial<TicketView>): TicketView => ({
  cardId: '00000000-0000-4000-8000-0000000000aa',
  key: 'SD-12',
  title: 'Please add a user to the invoicing portal',
  dedupKey: keyOf('CAF8kQm3e2Yx9=7pR@mail.customer.example'),
  status: 'firing',
  resolved: false,
  occurrences: 1,
  lastSeenAt: new Date(0).toISOString(),
  ...over,
});

describe('inbound e-mail: reading the three formats', () => {
  it('Mailgun multipart: sender, subject, stripped text, Message-Id; the attachment only by name', async () => {
    const mail = parsePayload(mailgun, await mailgunRequest(mailgunFields()));
    expect(mail).toEqual({
      provider: 'mailgun',
      messageId: 'CAF8kQm3e2Yx9=7pR@mail.customer.example',
      inReplyTo: [],
      references: [],
      from: { email: 'jane.doe@customer.example', name: 'Jane Doe' },
      to: 'support@requests.acme.example',
      subject: 'Please add a user to the invoicing portal',
      text: 'Hello,\r\n\r\nplease add Tom Baker (tom.baker@customer.example) to the invoicing portal with the approver role.\r\n\r\nThanks,\r\nJane',
      headers: {},
      attachments: ['approval-form.pdf'],
    });
    expect(mailgun.deliveryId!(await mailgunRequest(mailgunFields()), mail)).toBe(
      'message:CAF8kQm3e2Yx9=7pR@mail.customer.example',
    );
  });

  it('Mailgun urlencoded (a mail without attachments) reads the same', async () => {
    const req = await inboundFormRequest(
      urlencodedBody(mailgunFields()),
      'application/x-www-form-urlencoded',
    );
    expect(parsePayload(mailgun, req)).toMatchObject({
      messageId: 'CAF8kQm3e2Yx9=7pR@mail.customer.example',
      subject: 'Please add a user to the invoicing portal',
      attachments: [],
    });
  });

  it('SendGrid: Message-ID, In-Reply-To and References from the raw header block; the quote stripped', async () => {
    const mail = parsePayload(sendgrid, await sendgridRequest());
    expect(mail).toMatchObject({
      provider: 'sendgrid',
      messageId: 'CAF8kQm0Zz81q4Lw@mail.customer.example',
      inReplyTo: ['CAF8kQm3e2Yx9=7pR@mail.customer.example'],
      references: ['CAF8kQm3e2Yx9=7pR@mail.customer.example'],
      from: { email: 'jane.doe@customer.example', name: 'Jane Doe' },
      subject: 'Re: Please add a user to the invoicing portal',
      text: 'Sorry, one more thing: he also needs read access to the archive.',
    });
  });

  it('Postmark JSON: the Message-ID header (not Postmark’s MessageID), FromFull, TextBody when no reply was stripped', () => {
    const mail = parsePayload(postmark, inboundRequest(fixtureText('postmark.json')));
    expect(mail).toMatchObject({
      provider: 'postmark',
      messageId: 'CAB9x7Yt4pQ2v+K3@mail.customer.example',
      from: { email: 'raj.patel@customer.example', name: 'Raj Patel' },
      subject: 'Nightly export to the data warehouse: please add the region column',
      attachments: ['export-sample.csv'],
    });
    expect(mail.text).toMatch(/^Hi team,\n\ncould the nightly export include the region column/);
  });

  it('bad input is a PayloadError naming the field', async () => {
    const without = (name: string) => fixture('sendgrid').fields.filter(([k]) => k !== name);
    const field = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return err instanceof PayloadError ? err.field : `not a PayloadError: ${err}`;
      }
      return 'no error';
    };
    const noMessageId = await inboundFormRequest(
      urlencodedBody(mailgunFields().filter(([k]) => k !== 'Message-Id' && k !== 'message-headers')),
      'application/x-www-form-urlencoded',
    );
    expect(field(() => parsePayload(mailgun, inboundRequest('{}')))).toBe('body');
    expect(field(() => parsePayload(mailgun, noMessageId))).toBe('Message-Id');
    const noHeaders = await sendgridRequest(without('headers'));
    expect(field(() => parsePayload(sendgrid, noHeaders))).toBe('headers');
    const badFrom = await sendgridRequest(
      fixture('sendgrid').fields.map(([k, v]): [string, string] => [k, k === 'from' ? 'not an address' : v]),
    );
    expect(field(() => parsePayload(sendgrid, badFrom))).toBe('from');
    const pm = JSON.parse(fixtureText('postmark.json'));
    delete pm.FromFull;
    expect(field(() => parsePayload(postmark, inboundRequest(JSON.stringify(pm))))).toBe('FromFull.Email');
  });
});

describe('inbound e-mail: authentication', () => {
  it('Mailgun: the signature over timestamp + token with the signing key; a wrong key or a stale timestamp refused', async () => {
    const ctx = verifyContext(KEY, config);
    expect(mailgun.verify(await mailgunRequest(mailgunFields()), ctx)).toBe(true);
    expect(mailgun.verify(await mailgunRequest(mailgunFields({}, { key: 'another-key' })), ctx)).toMatch(
      /signature does not match/,
    );
    const stale = Math.floor(Date.now() / 1000) - 3600;
    expect(mailgun.verify(await mailgunRequest(mailgunFields({}, { timestamp: stale })), ctx)).toMatch(
      /stale/,
    );
    const unsigned = mailgunFields().filter(([k]) => k !== 'signature');
    expect(mailgun.verify(await mailgunRequest(unsigned), ctx)).toMatch(/missing/);
    expect(mailgun.verify(inboundRequest('{}'), ctx)).toMatch(/form body/);
  });

  it('SendGrid and Postmark: the secret in the URL, as basic auth or ?token=', async () => {
    const ctx = verifyContext('url-secret', config);
    expect(sendgrid.verify(await sendgridRequest(undefined, { token: 'url-secret' }), ctx)).toBe(true);
    expect(sendgrid.verify(await sendgridRequest(undefined, { token: 'guess' }), ctx)).toMatch(
      /does not match/,
    );
    expect(sendgrid.verify(await sendgridRequest(), ctx)).toMatch(/no credentials/);
    expect(postmark.verify(inboundRequest(fixtureText('postmark.json'), basic('url-secret')), ctx)).toBe(
      true,
    );
    expect(postmark.verify(inboundRequest(fixtureText('postmark.json'), basic('nope')), ctx)).toMatch(
      /does not match/,
    );
  });
});

describe('inbound e-mail: what a mail does', () => {
  const mailgunMail = async (overrides: Record<string, string> = {}) =>
    parsePayload(mailgun, await mailgunRequest(mailgunFields(overrides)));

  it('a new mail raises a service request with the sender as requester and the stripped text', async () => {
    const ctx = testWebhookContext(config);
    const result = await mailgun.handle(await mailgunMail(), ctx);
    expect(ctx.actions).toEqual([
      {
        op: 'raise',
        ticket: {
          dedupKey: 'mail:CAF8kQm3e2Yx9=7pR@mail.customer.example',
          kind: 'request',
          type: 'service_request',
          title: 'Please add a user to the invoicing portal',
          description: expect.stringMatching(
            /^Requested by e-mail by Jane Doe <jane\.doe@customer\.example>\.\n\nHello,[\s\S]*approver role[\s\S]*Attachments \(not stored; ask the requester\): approval-form\.pdf$/,
          ),
          labels: ['email'],
          occurrenceId: 'CAF8kQm3e2Yx9=7pR@mail.customer.example',
          requester: { email: 'jane.doe@customer.example', name: 'Jane Doe' },
        },
      },
    ]);
    expect(result).toEqual({
      summary: 'request from Jane Doe <jane.doe@customer.example>: Please add a user to the invoicing portal',
    });
  });

  it('a reply naming the first mail in In-Reply-To comments on its request', async () => {
    const found: string[] = [];
    const ctx = testWebhookContext(config, {
      find: async (key) => {
        found.push(key);
        return key === keyOf('CAF8kQm3e2Yx9=7pR@mail.customer.example') ? view({}) : null;
      },
    });
    await sendgrid.handle(parsePayload(sendgrid, await sendgridRequest()), ctx);
    expect(found).toEqual(['mail:CAF8kQm3e2Yx9=7pR@mail.customer.example']);
    expect(ctx.actions).toEqual([
      {
        op: 'comment',
        ref: 'mail:CAF8kQm3e2Yx9=7pR@mail.customer.example',
        body: 'Reply by e-mail from Jane Doe <jane.doe@customer.example>:\n\nSorry, one more thing: he also needs read access to the archive.',
      },
    ]);
  });

  it('the card key in the subject threads a mail without reply headers', async () => {
    const ctx = testWebhookContext(config, {
      findByCardKey: async (key) => (key === 'SD-12' ? view({}) : null),
    });
    await mailgun.handle(
      await mailgunMail({ subject: 'Re: [SD-12] Please add a user', 'Message-Id': '<other@x.example>' }),
      ctx,
    );
    expect(ctx.actions).toEqual([expect.objectContaining({ op: 'comment', ref: view({}).dedupKey })]);
  });

  it('a reply to a closed request reopens it (default) or raises a new one linked to it', async () => {
    const closed = async () => view({ resolved: true });
    const reply = await mailgunMail({
      'Message-Id': '<reply-2@mail.customer.example>',
      'In-Reply-To': '<CAF8kQm3e2Yx9=7pR@mail.customer.example>',
    });
    const reopening = testWebhookContext(config, { find: closed });
    await mailgun.handle(reply, reopening);
    expect(reopening.actions.map((a) => a.op)).toEqual(['reopen', 'comment']);

    const asNew = configWithDefaults(plugin.configSchema, { lifecycle: { onRecurrence: 'new' } });
    const raising = testWebhookContext(asNew, { find: closed });
    await mailgun.handle(reply, raising);
    expect(raising.actions).toEqual([
      { op: 'raise', ticket: expect.objectContaining({ dedupKey: 'mail:reply-2@mail.customer.example' }) },
      {
        op: 'link',
        ref: 'mail:reply-2@mail.customer.example',
        to: view({}).dedupKey,
        kind: 'relates_to',
      },
    ]);
  });

  it('auto-replies and bulk mail are ignored (mail loop guard)', async () => {
    const loopHeaders: Record<string, string>[] = [
      { 'Auto-Submitted': 'auto-replied' },
      { Precedence: 'bulk' },
    ];
    for (const header of loopHeaders) {
      const ctx = testWebhookContext(config);
      await mailgun.handle(await mailgunMail(header), ctx);
      expect(ctx.actions).toEqual([{ op: 'ignore', reason: expect.stringMatching(/automatic mail/) }]);
    }
  });

  it('a sender outside the allow-listed domains is ignored; a subdomain of one is allowed', async () => {
    const only = (domains: string[]) =>
      testWebhookContext(configWithDefaults(plugin.configSchema, { allowedSenderDomains: domains }));
    const refused = only(['acme.example']);
    await mailgun.handle(await mailgunMail(), refused);
    expect(refused.actions).toEqual([{ op: 'ignore', reason: expect.stringMatching(/not in an allowed/) }]);
    const allowed = only(['customer.example']);
    await mailgun.handle(await mailgunMail({ from: 'Ann <ann@eu.customer.example>' }), allowed);
    expect(allowed.actions.map((a) => a.op)).toEqual(['raise']);
  });
});

describe('inbound e-mail: small rules', () => {
  it('reads addresses, ids, card keys, quotes and loop headers', () => {
    expect(parseAddress('"Doe, Jane" <Jane.Doe@Customer.example>')).toEqual({
      email: 'jane.doe@customer.example',
      name: 'Doe, Jane',
    });
    expect(parseAddress('nobody')).toBeNull();
    expect(messageIds('<a@x> <b@y>\r\n <c@z>')).toEqual(['a@x', 'b@y', 'c@z']);
    expect(cardKeyIn('Re: [sd-7] Printer')).toBe('SD-7');
    expect(cardKeyIn('Printer [draft]')).toBeNull();
    expect(stripQuotedReply('Yes.\n\nOn Mon, 1 Dec 2026, A <a@x> wrote:\n> q')).toBe('Yes.');
    const from = { email: 'a@x.example', name: '' };
    expect(autoSubmittedReason({ headers: { 'auto-submitted': 'no' }, from })).toBeNull();
    expect(
      autoSubmittedReason({ headers: {}, from: { email: 'MAILER-DAEMON@x.example', name: '' } }),
    ).toMatch(/MAILER-DAEMON/);
  });
});
