/** The password rule on its own: length, spaces, common and context-specific passwords. */
import { describe, expect, it } from 'vitest';
import { checkPassword, contextWords, PASSWORD_MIN_LENGTH } from './password-policy.ts';

const alice = { email: 'alice.smith@acme-corp.example', name: 'Alice Smith' };

describe('a new password', () => {
  it.each(['password', '12345678', '        '])('refuses the weak passwords of the issue: %j', (pw) => {
    expect(checkPassword(pw).ok).toBe(false);
  });

  it('refuses a password of spaces only, however long, and says so', () => {
    expect(checkPassword(' '.repeat(40))).toEqual({
      ok: false,
      reason: 'blank',
      message: 'must not be only spaces',
    });
  });

  it(`refuses fewer than ${PASSWORD_MIN_LENGTH} characters, counting characters and not UTF-16 units`, () => {
    const short = checkPassword('kettle-orbit-7');
    expect(short).toMatchObject({ ok: false, reason: 'too_short' });
    expect(!short.ok && short.message).toMatch(/at least 15 characters/);
    // 14 emoji are 28 UTF-16 units but 14 characters.
    expect(checkPassword('🐙'.repeat(14))).toMatchObject({ ok: false, reason: 'too_short' });
  });

  it('accepts 64 characters and more (up to 200), spaces and any printable character', () => {
    expect(checkPassword('vellum otter '.repeat(5).slice(0, 64))).toEqual({ ok: true });
    expect(checkPassword('ß∂ƒ © quiet lantern ☂ über-meadow')).toEqual({ ok: true });
    expect(checkPassword('x'.repeat(201))).toMatchObject({ ok: false, reason: 'too_long' });
  });

  it('needs no digits, capitals or symbols: a passphrase of plain words is fine', () => {
    expect(checkPassword('velvet harbour crumpet sideways')).toEqual({ ok: true });
  });

  it('refuses common and leaked passwords even when long enough', () => {
    for (const pw of ['passwordpassword', 'qwertyuiopasdfgh', '1234567890123456', 'iloveyouiloveyou']) {
      const verdict = checkPassword(pw);
      expect(verdict, pw).toMatchObject({ ok: false, reason: 'common' });
      expect(!verdict.ok && verdict.message, pw).toMatch(/^too common — /);
    }
  });

  it("refuses passwords built on the account's e-mail, name or the product's name", () => {
    for (const pw of [
      'alice.smith@acme-corp.example',
      'alicesmith2026!!',
      'AliceAliceAlice1',
      'blendboard2026!!',
    ]) {
      const verdict = checkPassword(pw, alice);
      expect(verdict, pw).toMatchObject({ ok: false, reason: 'context' });
      expect(!verdict.ok && verdict.message, pw).toMatch(/e-mail, your name or the product's name/);
    }
  });

  it('lets context words through inside an otherwise strong password', () => {
    expect(checkPassword('alice keeps seven copper kites', alice)).toEqual({ ok: true });
  });

  it('refuses control characters', () => {
    expect(checkPassword('quiet lantern\u0000meadow')).toMatchObject({
      ok: false,
      reason: 'control_characters',
    });
  });
});

describe('the context words of an account', () => {
  it('are the e-mail, its parts, the name and its parts, and the product, without short or generic bits', () => {
    expect(contextWords({ email: 'Jo.Bloggs@Acme.co', name: 'Jo Bloggs' }).sort()).toEqual(
      ['acme', 'blendboard', 'bloggs', 'jo bloggs', 'jo.bloggs', 'jo.bloggs@acme.co', 'jobloggs'].sort(),
    );
  });
});
