/**
 * Inbound e-mail: service requests that arrive by mail through a mail gateway's inbound webhook
 * (Mailgun Routes, SendGrid Inbound Parse, Postmark inbound; formats read in ./mail.ts).
 *
 * - A new mail raises a service request (a `service_request` card, maintenance stream by default):
 *   the subject is its title, the sender (name and address) and the new text its description.
 * - The same mail delivered twice is one delivery (its Message-ID is the delivery id), so one ticket.
 * - A reply (In-Reply-To / References naming a mail that raised a request, or "[SD-12]" in the
 *   subject naming a request this plugin raised) becomes a comment on that request. A reply to a
 *   closed request follows `lifecycle.onRecurrence`: `reopen` (default) puts it back at the top of
 *   the backlog with the reply as a comment; `new` raises a new request linked to the closed one.
 * - Auto-replies, bulk mail and bounces are logged and ignored (mail loop guard); an optional
 *   allow-list of sender domains ignores everyone else.
 *
 * Authentication: Mailgun signs each post (HMAC-SHA256 of timestamp + token with the HTTP webhook
 * signing key: set it as this installation's secret) and stale timestamps are refused; SendGrid and
 * Postmark do not sign, so their URL carries the secret (basic auth, or `?token=`).
 */
import {
  basicAuthPassword,
  bearerToken,
  definePlugin,
  type InboundRequest,
  type Static,
  type TicketView,
  Type,
  ticketConfigFields,
  type VerifyContext,
  type WebhookContext,
} from '../../protocol/plugin.ts';
import {
  addressOf,
  autoSubmittedReason,
  cardKeyIn,
  type InboundMail,
  InboundMailSchema,
  postmarkJson,
  readMailgun,
  readPostmark,
  readSendGrid,
  senderAllowed,
  titleOf,
} from './mail.ts';

const configSchema = Type.Object(
  {
    ...ticketConfigFields({ fallback: { stream: 'maintenance', lane: 'standard', position: 'bottom' } }),
    /** sender domains that may file requests (a subdomain counts too); empty: anyone */
    allowedSenderDomains: Type.Array(
      Type.String({ minLength: 1, maxLength: 253, pattern: '^@?[A-Za-z0-9.-]+$' }),
      {
        maxItems: 100,
        default: [],
      },
    ),
    /** Mailgun: a signed timestamp older than this (seconds) is refused as a replay */
    maxSignatureAgeSeconds: Type.Integer({ minimum: 30, maximum: 86_400, default: 900 }),
  },
  { additionalProperties: false },
);
type Config = Static<typeof configSchema>;

/** A request's dedup key: the Message-ID of the mail that raised it. */
export const keyOf = (messageId: string) => `mail:${messageId}`.slice(0, 200);

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Mailgun: `signature` = hex HMAC-SHA256(signing key, timestamp + token), and a fresh timestamp. */
export function verifyMailgun(req: InboundRequest, ctx: VerifyContext<Config>): true | string {
  const f = req.form?.fields;
  if (!f) return 'expected a form body with timestamp, token and signature (a Mailgun route forward())';
  const { timestamp, token, signature } = f;
  if (!timestamp || !token || !signature) return 'missing timestamp, token or signature';
  if (!ctx.safeEqual(signature.toLowerCase(), ctx.hmacSha256(timestamp + token)))
    return "signature does not match (the installation secret must be Mailgun's HTTP webhook signing key)";
  const age = Date.now() / 1000 - Number(timestamp);
  const max = ctx.config.maxSignatureAgeSeconds ?? 900;
  if (!Number.isFinite(age) || Math.abs(age) > max)
    return `timestamp ${timestamp} is more than ${max} s from now: refused as stale (a replayed request?)`;
  return true;
}

/** SendGrid and Postmark do not sign: the secret travels in the URL, as basic auth or `?token=`. */
export function verifyUrlSecret(req: InboundRequest, ctx: VerifyContext<Config>): true | string {
  const offered = basicAuthPassword(req) ?? bearerToken(req) ?? req.query.token ?? null;
  if (!offered)
    return 'no credentials: put the secret in the webhook URL as basic auth (https://blendboard:<secret>@…) or ?token=<secret>';
  return ctx.safeEqual(offered, ctx.secret) || 'the secret in the webhook URL does not match';
}

/**
 * The request a reply belongs to: the card key in the subject first, then In-Reply-To, then
 * References newest first. An open request wins over a closed one the same mail also names.
 */
async function threadOf(mail: InboundMail, tickets: WebhookContext<Config>['tickets']) {
  const found: TicketView[] = [];
  const key = cardKeyIn(mail.subject);
  if (key) {
    const t = await tickets.findByCardKey(key);
    if (t) found.push(t);
  }
  const ids = [...new Set([...mail.inReplyTo, ...[...mail.references].reverse()])].slice(0, 30);
  for (const id of ids) {
    if (found.some((t) => !t.resolved)) break;
    const t = await tickets.find(keyOf(id));
    if (t && !found.some((f) => f.cardId === t.cardId)) found.push(t);
  }
  return found.find((t) => !t.resolved) ?? found[0] ?? null;
}

function describe(mail: InboundMail): string {
  const lines = [
    `Requested by e-mail by ${addressOf(mail.from)}.`,
    '',
    clip(mail.text || '(the mail has no text)', 9000),
  ];
  if (mail.attachments.length > 0)
    lines.push('', clip(`Attachments (not stored; ask the requester): ${mail.attachments.join(', ')}`, 500));
  return lines.join('\n');
}

function raiseRequest(mail: InboundMail, ctx: WebhookContext<Config>): string {
  const dedupKey = keyOf(mail.messageId);
  ctx.tickets.raise({
    dedupKey,
    kind: 'request',
    type: 'service_request',
    title: clip(titleOf(mail.subject) || `E-mail from ${addressOf(mail.from)}`, 300),
    description: describe(mail),
    labels: ['email'],
    occurrenceId: mail.messageId.slice(0, 200),
    requester: { email: mail.from.email, ...(mail.from.name ? { name: clip(mail.from.name, 200) } : {}) },
  });
  return dedupKey;
}

export async function handleMail(mail: InboundMail, ctx: WebhookContext<Config>) {
  const who = addressOf(mail.from);
  const loop = autoSubmittedReason(mail);
  if (loop) {
    ctx.log.info('automatic mail ignored (mail loop guard)', { from: mail.from.email, reason: loop });
    return ctx.ignore(`automatic mail (${loop}) from ${mail.from.email}: ignored, no reply loop`);
  }
  if (!senderAllowed(mail.from.email, ctx.config.allowedSenderDomains ?? [])) {
    ctx.log.info('mail from a sender outside the allow-list ignored', { from: mail.from.email });
    return ctx.ignore(`${mail.from.email} is not in an allowed sender domain`);
  }
  const thread = await threadOf(mail, ctx.tickets);
  if (!thread) {
    raiseRequest(mail, ctx);
    return { summary: clip(`request from ${who}: ${titleOf(mail.subject) || '(no subject)'}`, 500) };
  }
  const reply = clip(`Reply by e-mail from ${who}:\n\n${mail.text || '(the mail has no text)'}`, 10_000);
  if (!thread.resolved) {
    ctx.tickets.comment(thread.dedupKey, reply);
    return { summary: `reply from ${mail.from.email} on ${thread.key}` };
  }
  if (ctx.config.lifecycle?.onRecurrence === 'new') {
    const key = raiseRequest(mail, ctx);
    ctx.tickets.link(key, thread.dedupKey, 'relates_to');
    return { summary: `reply from ${mail.from.email} to closed ${thread.key}: new request linked to it` };
  }
  ctx.tickets.reopen(thread.dedupKey, { note: `Reopened: ${who} replied by e-mail after it was closed.` });
  ctx.tickets.comment(thread.dedupKey, reply);
  return { summary: `reply from ${mail.from.email} reopened ${thread.key}` };
}

const deliveryOf = (mail: InboundMail) => `message:${mail.messageId}`;

export default definePlugin({
  id: 'inbound-email',
  name: 'Inbound e-mail',
  version: '1.0.0',
  apiVersion: 1,
  description:
    'Service requests by e-mail through a mail gateway (Mailgun, SendGrid, Postmark): a new mail files a request, a reply comments on it.',
  configSchema,
  webhooks: {
    mailgun: {
      description: 'Mailgun Routes: forward("<this URL>"); signed with the HTTP webhook signing key',
      verify: verifyMailgun,
      parse: readMailgun,
      payloadSchema: InboundMailSchema,
      deliveryId: (_req, mail) => deliveryOf(mail),
      handle: handleMail,
    },
    sendgrid: {
      description: 'SendGrid Inbound Parse (not raw MIME); the secret as basic auth or ?token= in the URL',
      verify: verifyUrlSecret,
      parse: readSendGrid,
      payloadSchema: InboundMailSchema,
      deliveryId: (_req, mail) => deliveryOf(mail),
      handle: handleMail,
    },
    postmark: {
      description: 'Postmark inbound webhook (JSON); the secret as basic auth or ?token= in the URL',
      verify: verifyUrlSecret,
      parse: (req) => readPostmark(postmarkJson(req)),
      payloadSchema: InboundMailSchema,
      deliveryId: (_req, mail) => deliveryOf(mail),
      handle: handleMail,
    },
  },
});
