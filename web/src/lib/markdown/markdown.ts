/**
 * Card descriptions and comments as Markdown: GitHub-flavoured basics (headings, lists, read-only
 * task lists, code, tables, links) parsed by `marked`, then sanitised by DOMPurify before anything
 * reaches the page. Two layers on purpose: the renderer already writes raw HTML out as text and
 * images as links, and DOMPurify's allow-list is what holds if the parser ever lets something through.
 *
 * Images are not shown: the page's CSP allows only same-origin images (there are no attachments), and
 * an image that loads when a card is opened would tell its writer (a requester too) who read it and
 * when. An image becomes a link to it, labelled with its alt text.
 *
 * @mentions (protocol/rules/mentions.ts) render as a chip with the member's current name.
 */
import DOMPurify from 'dompurify';
import { Marked, type TokenizerAndRendererExtension, type Tokens } from 'marked';
import { mentionsIn } from '../../../../protocol/rules/mentions.ts';

/** Member ids to their current names (the board's `memberNames`); empty where members are unknown. */
export type MemberNames = ReadonlyMap<string, string>;

const NO_MEMBERS: MemberNames = new Map();

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

// The longest token: "@[" + 200-character name + "](user:" + uuid + ")".
const LONGEST_MENTION = 2 + 200 + 7 + 36 + 1;

interface MentionToken extends Tokens.Generic {
  type: 'mention';
  userId: string;
  name: string;
}

/**
 * An inline extension so `@[Name](user:<uuid>)` is one token, never read as a link to "user:…". The
 * rule for what a mention is stays in protocol/: the tokenizer asks `mentionsIn` about the text ahead.
 */
function mentionExtension(names: MemberNames): TokenizerAndRendererExtension {
  return {
    name: 'mention',
    level: 'inline',
    start: (src) => {
      const at = src.indexOf('@[');
      return at < 0 ? undefined : at;
    },
    tokenizer(src): MentionToken | undefined {
      if (!src.startsWith('@[')) return undefined;
      const first = mentionsIn(src.slice(0, LONGEST_MENTION))[0];
      if (first?.start !== 0) return undefined;
      return { type: 'mention', raw: src.slice(0, first.end), userId: first.userId, name: first.name };
    },
    renderer(token) {
      const { userId, name } = token as MentionToken;
      const current = names.get(userId) ?? name;
      return `<span class="mention" data-user-id="${escapeHtml(userId)}">@${escapeHtml(current)}</span>`;
    },
  };
}

function parser(names: MemberNames): Marked {
  return new Marked({
    gfm: true,
    // Comments are written like chat: a line break in the text is a line break on the page.
    breaks: true,
    async: false,
    extensions: [mentionExtension(names)],
    renderer: {
      // Raw HTML is shown as the text it is, not interpreted.
      html({ text, block }: Tokens.HTML | Tokens.Tag) {
        return block ? `<p>${escapeHtml(text.trimEnd())}</p>\n` : escapeHtml(text);
      },
      image({ href, text }: Tokens.Image) {
        return `<a href="${escapeHtml(href)}" class="image-link">${escapeHtml(text || href)}</a>`;
      },
    },
  });
}

// biome-ignore format: a line per kind of tag reads better than a tag a line
const ALLOWED_TAGS = [
  'p', 'br', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'hr',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'ul', 'ol', 'li', 'input',
  'table', 'thead', 'tbody', 'tr', 'th', 'td',
  'a', 'span',
];

// DOMPurify's own rule narrowed to web and mail links: a value with a scheme must be http(s) or
// mailto (so no javascript:, data:, vbscript:); one without (a path, "#x", an id) is kept. It is
// applied to every attribute that is not plain text, data-user-id and align included.
const ALLOWED_URI = /^(?:(?:https?|mailto):|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i;

// Classes the renderer writes; anything else is dropped so markup cannot dress up as a chip.
function classAllowed(tag: string, value: string): boolean {
  if (tag === 'span') return value === 'mention';
  if (tag === 'code') return /^language-[\w+-]{1,40}$/.test(value);
  if (tag === 'a') return value === 'image-link';
  return false;
}

type Purifier = ReturnType<typeof DOMPurify>;
let purifier: Purifier | undefined;

/** One DOMPurify instance of our own (its hooks are not shared with any other user of the library). */
function purify(): Purifier {
  if (purifier) return purifier;
  const p = DOMPurify(window);
  p.addHook('uponSanitizeAttribute', (node, data) => {
    if (data.attrName === 'class' && !classAllowed(node.nodeName.toLowerCase(), data.attrValue)) {
      data.keepAttr = false;
    }
  });
  p.addHook('afterSanitizeAttributes', (node) => {
    if (node.nodeName === 'A' && node.hasAttribute('href')) {
      // A link leaves the app in a new tab that cannot reach back to this page.
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
    if (node.nodeName === 'INPUT') {
      // Only a task list's box, and it cannot be ticked here.
      node.setAttribute('type', 'checkbox');
      node.setAttribute('disabled', '');
    }
  });
  purifier = p;
  return p;
}

/** Safe HTML for a description or comment. */
export function renderMarkdown(text: string, names: MemberNames = NO_MEMBERS): string {
  return sanitizeHtml(parser(names).parse(text) as string);
}

/** The second layer on its own: what is left of any HTML after the allow-list. */
export function sanitizeHtml(html: string): string {
  return purify().sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR: ['href', 'title', 'class', 'data-user-id', 'type', 'checked', 'disabled', 'align', 'start'],
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    ALLOWED_URI_REGEXP: ALLOWED_URI,
  });
}
