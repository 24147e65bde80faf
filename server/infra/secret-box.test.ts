/** Sealing secrets at rest: pure, no database. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isSealed, parseSecretKey, SecretBox, SecretUnreadableError } from './secret-box.ts';

const box = new SecretBox(randomBytes(32));
const secret = 'whsec_0123456789abcdefghijklmnopqrstuv';

describe('a sealed secret', () => {
  it('opens to the secret it was sealed from, and does not contain it', () => {
    const sealed = box.seal(secret);
    expect(sealed).toMatch(/^v1:[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(secret);
    expect(box.open(sealed)).toBe(secret);
    expect(box.open(box.seal(''))).toBe('');
    expect(box.open(box.seal('grüße ✓'))).toBe('grüße ✓');
  });

  it('differs each time the same secret is sealed (a random IV)', () => {
    const a = box.seal(secret);
    const b = box.seal(secret);
    expect(a).not.toBe(b);
    expect(box.open(a)).toBe(box.open(b));
  });

  it('refuses to open when any part was changed', () => {
    const sealed = box.seal(secret);
    const bytes = Buffer.from(sealed.slice(3), 'base64url');
    for (const at of [0, 12, 28, bytes.length - 1]) {
      // iv, tag, first and last ciphertext byte
      const changed = Buffer.from(bytes);
      changed[at]! ^= 0x01;
      expect(() => box.open(`v1:${changed.toString('base64url')}`)).toThrow(SecretUnreadableError);
    }
    expect(() => box.open(`v1:${bytes.subarray(0, bytes.length - 1).toString('base64url')}`)).toThrow(
      /does not open with this server key/,
    );
    expect(() => box.open('v1:short')).toThrow(/malformed/);
    expect(() => box.open('v1:not base64!')).toThrow(/malformed/);
  });

  it('does not open under another key, and says which setting to look at', () => {
    const other = new SecretBox(randomBytes(32));
    expect(() => other.open(box.seal(secret))).toThrow(SecretUnreadableError);
    expect(() => other.open(box.seal(secret))).toThrow(
      /another key \(SECRET_KEY, or DATA_DIR\/secret\.key\)/,
    );
  });

  it('passes a legacy plain secret (stored before sealing) through as it is', () => {
    expect(isSealed(secret)).toBe(false);
    expect(box.open(secret)).toBe(secret);
    expect(isSealed(box.seal(secret))).toBe(true);
  });
});

describe('the server key', () => {
  it('is 32 bytes written as base64, base64url or hex', () => {
    const key = randomBytes(32);
    expect(parseSecretKey(key.toString('base64'))).toEqual(key);
    expect(parseSecretKey(key.toString('base64url'))).toEqual(key);
    expect(parseSecretKey(`${key.toString('hex')}\n`)).toEqual(key);
    expect(parseSecretKey(key.toString('hex').toUpperCase())).toEqual(key);
  });

  it('of another length is refused without echoing it', () => {
    const short = randomBytes(16).toString('base64');
    expect(() => parseSecretKey(short)).toThrow(/expected 32 bytes, got 16/);
    expect(() => parseSecretKey(randomBytes(31).toString('hex'))).toThrow(/expected 32 bytes/);
    expect(() => parseSecretKey('correct horse battery staple')).toThrow(/64 hex digits or base64/);
    try {
      parseSecretKey(short);
    } catch (err) {
      expect((err as Error).message).not.toContain(short);
    }
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});
