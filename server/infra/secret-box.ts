/**
 * Secrets at rest: values the server must read back in full (a webhook's shared secret, which HMAC
 * needs as it is, so a hash will not do) are sealed with AES-256-GCM from node:crypto under one
 * server key. A sealed value is `v1:` + base64url(iv | tag | ciphertext); a fresh random IV each
 * time, and the tag makes a changed value or another key fail loudly instead of yielding garbage.
 * A value without the `v1:` prefix was stored before sealing existed and is returned as it is.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** What a sealed value starts with; anything else is a legacy plain secret. */
export const SEALED_PREFIX = 'v1:';
const KEY_BYTES = 32;
const IV_BYTES = 12; // the size GCM is specified for
const TAG_BYTES = 16;

/** A stored value that cannot be opened: sealed under another key, altered, or malformed. */
export class SecretUnreadableError extends Error {
  override name = 'SecretUnreadableError';
}

/** True when the stored value is sealed (as opposed to a legacy plain secret). */
export const isSealed = (stored: string): boolean => stored.startsWith(SEALED_PREFIX);

/**
 * A key written as text: 32 bytes as 64 hex digits, or as base64 / base64url (43 or 44 characters,
 * e.g. `openssl rand -base64 32`). Throws with what was wrong, never with the value itself.
 */
export function parseSecretKey(text: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) {
    const key = Buffer.from(t, 'base64');
    if (key.length === KEY_BYTES) return key;
    throw new Error(`expected ${KEY_BYTES} bytes, got ${key.length} (base64 of ${t.length} characters)`);
  }
  throw new Error(`expected ${KEY_BYTES} bytes as 64 hex digits or base64 (44 characters)`);
}

/** A fresh key in the text form parseSecretKey reads. */
export const newSecretKeyText = (): string => randomBytes(KEY_BYTES).toString('base64');

export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`a secret key has ${KEY_BYTES} bytes, not ${key.length}`);
    this.#key = Buffer.from(key);
  }

  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return SEALED_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
  }

  open(stored: string): string {
    if (!isSealed(stored)) return stored; // legacy: stored readable before sealing existed
    const body = stored.slice(SEALED_PREFIX.length);
    const bytes = /^[A-Za-z0-9_-]+$/.test(body) ? Buffer.from(body, 'base64url') : Buffer.alloc(0);
    if (bytes.length < IV_BYTES + TAG_BYTES) {
      throw new SecretUnreadableError('the sealed secret is malformed (too short or not base64url)');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.#key, bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      const plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
      return plain.toString('utf8');
    } catch {
      throw new SecretUnreadableError(
        'the sealed secret does not open with this server key: it was sealed under another key ' +
          '(SECRET_KEY, or DATA_DIR/secret.key) or has been altered',
      );
    }
  }
}
