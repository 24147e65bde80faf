/**
 * Which new passwords we accept, after NIST SP 800-63B-4 (section 3.1.1.2): a minimum length, a
 * generous maximum, any printable character including spaces, no composition rules, and a refusal
 * of passwords that are common, leaked or built on the context (the account's e-mail and name, the
 * product's name). Common and context-specific passwords are found by zxcvbn-ts (its leaked-password
 * list, English words and names, keyboard patterns, repeats and dates), not by a list of our own.
 *
 * Sign-in is single-factor, so the minimum is 15 characters, as 800-63B-4 requires for passwords
 * that are the only factor (8 is for a password inside multi-factor sign-in).
 */
import { ZxcvbnFactory, type ZxcvbnResult } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../protocol/model.ts';

export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH };

/**
 * zxcvbn's top score, at least 10^10 estimated guesses. Fifteen characters clear it unless they follow
 * a pattern a cracker tries early; score 3 (10^8) let "<name>2026!!" and "<word>-password" through.
 */
const MIN_SCORE = 4;
const PRODUCT_WORDS = ['blendboard'];

export interface PasswordContext {
  email?: string;
  name?: string;
}

export type PasswordVerdict =
  | { ok: true }
  | {
      ok: false;
      reason: 'too_short' | 'too_long' | 'blank' | 'control_characters' | 'context' | 'common';
      /** For people: what is wrong and what to do, without the `password:` prefix. */
      message: string;
    };

// Built on first use, then kept: ranking the dictionaries is the slow part.
let estimator: ZxcvbnFactory | null = null;
function zxcvbn(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
    // A check runs on the event loop: these three bound its time (the defaults let one long,
    // symbol-rich password take seconds). Characters past the 64th are not analysed; 64 strong
    // ones are enough.
    useLevenshteinDistance: false,
    l33tMaxSubstitutions: 10,
    maxLength: 64,
  });
  return estimator;
}

/** The e-mail, its parts and the name, as words a guesser would try first for this account. */
export function contextWords(ctx: PasswordContext): string[] {
  const words = new Set<string>(PRODUCT_WORDS);
  const email = ctx.email?.trim().toLowerCase();
  if (email) {
    words.add(email);
    const [local = '', domain = ''] = email.split('@');
    words.add(local);
    words.add(local.replace(/[._+-]+/g, ''));
    // The domain's labels without the top-level one ("com" says nothing about this account).
    for (const part of [...local.split(/[._+-]+/), ...domain.split('.').slice(0, -1)]) words.add(part);
  }
  const name = ctx.name?.trim().toLowerCase();
  if (name) {
    words.add(name);
    words.add(name.replace(/\s+/g, ''));
    for (const part of name.split(/\s+/)) words.add(part);
  }
  // Very short parts would match inside any password and say nothing.
  return [...words].filter((w) => w.length >= 3);
}

const CONTROL = /\p{Cc}/u;

/** Whether `password` may be set for the account described by `ctx`; pure apart from zxcvbn's tables. */
export function checkPassword(password: string, ctx: PasswordContext = {}): PasswordVerdict {
  if (password.length > 0 && password.trim() === '') {
    return { ok: false, reason: 'blank', message: 'must not be only spaces' };
  }
  // Counted in characters a person sees (code points), not UTF-16 units.
  if ([...password].length < PASSWORD_MIN_LENGTH) {
    return {
      ok: false,
      reason: 'too_short',
      message: `must be at least ${PASSWORD_MIN_LENGTH} characters; a few unrelated words make a good one`,
    };
  }
  // In UTF-16 units, as the request schemas count: whatever is set here can also be typed at sign-in.
  if (password.length > PASSWORD_MAX_LENGTH) {
    return { ok: false, reason: 'too_long', message: `must be at most ${PASSWORD_MAX_LENGTH} characters` };
  }
  if (CONTROL.test(password)) {
    return { ok: false, reason: 'control_characters', message: 'must not contain control characters' };
  }
  const words = contextWords(ctx);
  const result = zxcvbn().check(password, words);
  if (result.score >= MIN_SCORE) return { ok: true };
  return usesContext(password, words, result)
    ? {
        ok: false,
        reason: 'context',
        message: `too easy to guess — it is built on your e-mail, your name or the product's name. ${advice(result)}`,
      }
    : { ok: false, reason: 'common', message: `too common — ${why(result)} ${advice(result)}` };
}

// zxcvbn names the context words it matched, but not inside a repeat ("AliceAliceAlice1").
const usesContext = (password: string, words: string[], r: ZxcvbnResult) =>
  r.sequence.some((m) => m.pattern === 'dictionary' && m.dictionaryName === 'userInputs') ||
  words.some((w) => password.toLowerCase().includes(w));

function why(r: ZxcvbnResult): string {
  const warning = r.feedback.warning;
  return warning ? lowerFirst(warning) : 'it is made of common words, names or patterns.';
}

function advice(r: ZxcvbnResult): string {
  return r.feedback.suggestions.length > 0
    ? r.feedback.suggestions.join(' ')
    : 'Add a few more words that are less common.';
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
