/**
 * One inbound mail, whichever gateway posted it: the three documented webhook formats (Mailgun
 * Routes' forward(), SendGrid Inbound Parse, Postmark inbound) read into one `InboundMail`, and the
 * small pure rules the handler applies to it (thread ids, the card key in a subject, the
 * auto-responder check, the sender allow-list). No I/O.
 */
import { type InboundRequest, PayloadError, type Static, Type } from '../../protocol/plugin.ts';

export const PROVIDERS = ['mailgun', 'sendgrid', 'postmark'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** What `handle` gets: stored with the delivery and read again from it by the queue. */
export const InboundMailSchema = Type.Object({
  provider: Type.Union([Type.Literal('mailgun'), Type.Literal('sendgrid'), Type.Literal('postmark')]),
  /** the Message-ID header, without angle brackets */
  messageId: Type.String({ minLength: 1, maxLength: 998 }),
  /** In-Reply-To's ids, then References' ids (oldest first) */
  inReplyTo: Type.Array(Type.String()),
  references: Type.Array(Type.String()),
  from: Type.Object({ email: Type.String({ minLength: 3, maxLength: 320 }), name: Type.String() }),
  to: Type.String(),
  subject: Type.String(),
  /** the new text of the mail: the provider's stripped reply when it gives one, else the text body */
  text: Type.String(),
  /** the headers the loop guard reads (lower-case names) */
  headers: Type.Record(Type.String(), Type.String()),
  /** attachment file names (their contents are never kept) */
  attachments: Type.Array(Type.String()),
});
export type InboundMail = Static<typeof InboundMailSchema>;

const LOOP_HEADERS = [
  'auto-submitted',
  'precedence',
  'x-autoreply',
  'x-autorespond',
  'list-id',
  'return-path',
];

// ---- small readers ------------------------------------------------------------------------------

/** The ids in a Message-ID / In-Reply-To / References value, without angle brackets. */
export function messageIds(value: string | undefined | null): string[] {
  if (!value) return [];
  const bracketed = [...value.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!);
  if (bracketed.length > 0) return bracketed;
  // Some senders (and Postmark's own ids) give a bare id.
  const bare = value.trim();
  return bare && !/\s/.test(bare) ? [bare] : [];
}

/** `Jane Doe <jane@example.com>`, `"Doe, Jane" <jane@example.com>` or `jane@example.com`. */
export function parseAddress(value: string): { email: string; name: string } | null {
  const angled = /^\s*(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(value);
  if (angled) {
    const name = angled[1]!
      .replace(/^"(.*)"$/, '$1')
      .replace(/\\(.)/g, '$1')
      .trim();
    return { email: angled[2]!.toLowerCase(), name };
  }
  const bare = /^\s*([^<>\s"]+@[^<>\s"]+)\s*$/.exec(value);
  return bare ? { email: bare[1]!.toLowerCase(), name: '' } : null;
}

/** A raw header block (SendGrid's `headers`) as lower-case name → value, folded lines unfolded. */
export function parseHeaderBlock(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  const unfolded = block.replace(/\r\n/g, '\n').replace(/\n[ \t]+/g, ' ');
  for (const line of unfolded.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    // The first occurrence wins: the sender's own header, not one a relay added below it.
    if (!(name in out)) out[name] = line.slice(colon + 1).trim();
  }
  return out;
}

/** The text above the quoted part of a reply (for gateways that send no stripped text). */
export function stripQuotedReply(text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const out: string[] = [];
  for (const line of lines) {
    if (/^On .+wrote:\s*$/.test(line) || /^-{2,}\s*Original Message\s*-{2,}/i.test(line)) break;
    if (/^>/.test(line)) continue;
    out.push(line);
  }
  return out.join('\n').trim();
}

const pick = (headers: Record<string, string>) =>
  Object.fromEntries(LOOP_HEADERS.filter((h) => headers[h] !== undefined).map((h) => [h, headers[h]!]));

function required(value: string | undefined, field: string, hint = ''): string {
  if (value === undefined || value.trim() === '')
    throw new PayloadError(`${field}: required${hint ? ` (${hint})` : ''}`, field);
  return value;
}

function sender(value: string, field: string): { email: string; name: string } {
  const address = parseAddress(value);
  if (!address) throw new PayloadError(`${field}: "${value.slice(0, 100)}" is not an e-mail address`, field);
  return address;
}

function formOf(req: InboundRequest, provider: string) {
  if (!req.form)
    throw new PayloadError(
      `body: ${provider} posts multipart/form-data or application/x-www-form-urlencoded, not ${req.contentType || 'no content type'}`,
      'body',
    );
  return req.form;
}

function threadOf(messageId: string, inReplyTo: string | undefined, references: string | undefined) {
  const replyTo = messageIds(inReplyTo).filter((id) => id !== messageId);
  const refs = messageIds(references).filter((id) => id !== messageId);
  return { messageId, inReplyTo: replyTo.slice(0, 10), references: refs.slice(-50) };
}

// ---- the three formats --------------------------------------------------------------------------

/**
 * Mailgun Routes, forward("https://…"): form fields `sender`, `from`, `recipient`, `subject`,
 * `body-plain`, `stripped-text`, `message-headers` (JSON list of [name, value]), every MIME header
 * as its own field (`Message-Id`, `In-Reply-To`, `References`, …), `timestamp`/`token`/`signature`,
 * and `attachment-1…n` file parts.
 */
export function readMailgun(req: InboundRequest): InboundMail {
  const form = formOf(req, 'Mailgun');
  const fields = form.fields;
  const headers: Record<string, string> = {};
  const list = fields['message-headers'];
  if (list) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(list);
    } catch {
      throw new PayloadError('message-headers: not JSON', 'message-headers');
    }
    if (Array.isArray(parsed)) {
      for (const pair of parsed) {
        if (Array.isArray(pair) && typeof pair[0] === 'string' && typeof pair[1] === 'string') {
          const name = pair[0].toLowerCase();
          if (!(name in headers)) headers[name] = pair[1];
        }
      }
    }
  }
  // Header fields posted one by one take precedence over the JSON list (their names keep the sender's case).
  for (const [name, value] of Object.entries(fields)) {
    if (/^[A-Z]/.test(name)) headers[name.toLowerCase()] = value;
  }
  const from = sender(required(fields.from ?? fields.sender, 'from'), 'from');
  const messageId = messageIds(required(headers['message-id'], 'Message-Id'))[0];
  if (!messageId) throw new PayloadError('Message-Id: no message id in it', 'Message-Id');
  return {
    provider: 'mailgun',
    ...threadOf(messageId, headers['in-reply-to'], headers.references),
    from,
    to: fields.recipient ?? '',
    subject: fields.subject ?? headers.subject ?? '',
    text: (fields['stripped-text'] ?? '').trim() || (fields['body-plain'] ?? '').trim(),
    headers: pick(headers),
    attachments: form.files.map((f) => f.filename).filter(Boolean),
  };
}

/**
 * SendGrid Inbound Parse (default, not "send raw"): multipart fields `from`, `to`, `subject`, `text`,
 * `html`, `headers` (the raw header block, with Message-ID / In-Reply-To / References), `envelope`
 * (JSON: to, from), `charsets` (JSON), `attachments` (count), `attachment-info`, `attachment1…n`.
 */
export function readSendGrid(req: InboundRequest): InboundMail {
  const form = formOf(req, 'SendGrid');
  const fields = form.fields;
  if (fields.email !== undefined && fields.headers === undefined)
    throw new PayloadError(
      'headers: required; this is a raw MIME post: untick "POST the raw, full MIME message" in the Inbound Parse settings',
      'headers',
    );
  const headers = parseHeaderBlock(required(fields.headers, 'headers'));
  const from = sender(required(fields.from ?? headers.from, 'from'), 'from');
  const messageId = messageIds(
    required(headers['message-id'], 'headers', 'the header block has no Message-ID'),
  )[0];
  if (!messageId) throw new PayloadError('headers: the Message-ID header has no id', 'headers');
  return {
    provider: 'sendgrid',
    ...threadOf(messageId, headers['in-reply-to'], headers.references),
    from,
    to: fields.to ?? '',
    subject: fields.subject ?? headers.subject ?? '',
    text: stripQuotedReply(fields.text ?? ''),
    headers: pick(headers),
    attachments: form.files.map((f) => f.filename).filter(Boolean),
  };
}

/** Postmark's inbound JSON, the fields this plugin reads (Postmark sends more). */
export interface PostmarkInbound {
  From?: string;
  FromFull: { Email: string; Name?: string };
  To?: string;
  Subject?: string;
  MessageID: string;
  TextBody?: string;
  StrippedTextReply?: string | null;
  MailboxHash?: string;
  Headers?: { Name: string; Value: string }[];
  Attachments?: { Name?: string }[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The raw body as Postmark's JSON: a 400 naming the first field that is missing or of the wrong type. */
export function postmarkJson(req: InboundRequest): PostmarkInbound {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(req.rawBody));
  } catch (err) {
    throw new PayloadError(`body: not JSON (${(err as Error).message})`, 'body');
  }
  if (!isObject(body)) throw new PayloadError('body: expected a JSON object', 'body');
  if (!isObject(body.FromFull) || typeof body.FromFull.Email !== 'string')
    throw new PayloadError('FromFull.Email: required', 'FromFull.Email');
  if (typeof body.MessageID !== 'string' || body.MessageID === '')
    throw new PayloadError('MessageID: required', 'MessageID');
  for (const field of ['From', 'To', 'Subject', 'TextBody', 'MailboxHash'] as const) {
    if (body[field] !== undefined && typeof body[field] !== 'string')
      throw new PayloadError(`${field}: expected a string`, field);
  }
  if (
    body.StrippedTextReply !== undefined &&
    body.StrippedTextReply !== null &&
    typeof body.StrippedTextReply !== 'string'
  )
    throw new PayloadError('StrippedTextReply: expected a string', 'StrippedTextReply');
  const headers = body.Headers ?? [];
  if (
    !Array.isArray(headers) ||
    !headers.every((h) => isObject(h) && typeof h.Name === 'string' && typeof h.Value === 'string')
  )
    throw new PayloadError('Headers: expected [{Name, Value}]', 'Headers');
  if (body.Attachments !== undefined && !Array.isArray(body.Attachments))
    throw new PayloadError('Attachments: expected an array', 'Attachments');
  return body as unknown as PostmarkInbound;
}

export function readPostmark(p: PostmarkInbound): InboundMail {
  const headers: Record<string, string> = {};
  for (const h of p.Headers ?? []) {
    const name = h.Name.toLowerCase();
    if (!(name in headers)) headers[name] = h.Value;
  }
  const from = sender(p.FromFull.Email, 'FromFull.Email');
  // The mail's own Message-ID threads replies; Postmark's MessageID only when the header is missing.
  const messageId = messageIds(headers['message-id'])[0] ?? `postmark:${p.MessageID}`;
  return {
    provider: 'postmark',
    ...threadOf(messageId, headers['in-reply-to'], headers.references),
    from: { email: from.email, name: p.FromFull.Name?.trim() ?? '' },
    to: p.To ?? '',
    subject: p.Subject ?? '',
    text: (p.StrippedTextReply ?? '').trim() || (p.TextBody ?? '').trim(),
    headers: pick(headers),
    attachments: (p.Attachments ?? [])
      .map((a) => (isObject(a) && typeof a.Name === 'string' ? a.Name : ''))
      .filter(Boolean),
  };
}

// ---- rules --------------------------------------------------------------------------------------

/**
 * Why a mail is an automatic one that must not become a request (RFC 3834 Auto-Submitted, bulk
 * precedence, the common auto-reply markers, bounces), or null for a person's mail.
 */
export function autoSubmittedReason(mail: Pick<InboundMail, 'headers' | 'from'>): string | null {
  const h = mail.headers;
  const auto = h['auto-submitted']?.trim().toLowerCase();
  if (auto && auto !== 'no') return `Auto-Submitted: ${auto}`;
  const precedence = h.precedence?.trim().toLowerCase();
  if (precedence && ['bulk', 'junk', 'list', 'auto_reply'].includes(precedence))
    return `Precedence: ${precedence}`;
  if (h['x-autoreply'] !== undefined) return 'X-Autoreply';
  if (h['x-autorespond'] !== undefined) return 'X-Autorespond';
  if (h['return-path']?.trim() === '<>') return 'an empty Return-Path (a bounce)';
  if (/^(mailer-daemon|postmaster)@/i.test(mail.from.email)) return `from ${mail.from.email}`;
  return null;
}

/** True when the sender's domain is on the allow-list (or a subdomain of one); an empty list allows all. */
export function senderAllowed(email: string, allowedDomains: readonly string[]): boolean {
  if (allowedDomains.length === 0) return true;
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  return allowedDomains.some((d) => {
    const allowed = d.toLowerCase().replace(/^@/, '');
    return domain === allowed || domain.endsWith(`.${allowed}`);
  });
}

/** The card key a subject names in brackets, e.g. "Re: [SD-12] Printer" → "SD-12". */
export function cardKeyIn(subject: string): string | null {
  const m = /\[([A-Za-z][A-Za-z0-9]{1,9}-\d{1,9})\]/.exec(subject);
  return m ? m[1]!.toUpperCase() : null;
}

/** The subject without reply/forward prefixes, for a new request's title. */
export function titleOf(subject: string): string {
  let s = subject.replace(/\s+/g, ' ').trim();
  for (let i = 0; i < 5; i++) {
    const next = s.replace(/^(re|aw|sv|fw|fwd|wg)\s*:\s*/i, '');
    if (next === s) break;
    s = next;
  }
  return s;
}

/** `Name <address>` for descriptions and comments (a display name is cut at 100 characters). */
export const addressOf = (from: InboundMail['from']) => {
  const name = from.name.length > 100 ? `${from.name.slice(0, 99)}…` : from.name;
  return name ? `${name} <${from.email}>` : from.email;
};
