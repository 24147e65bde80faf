/**
 * Start-up: the server key that seals secrets at rest (secret-box.ts). SECRET_KEY when set;
 * otherwise DATA_DIR/secret.key, created on first start (32 random bytes as base64, mode 0600).
 * Every instance on one database needs the same key, and so does a restored backup: a lost key
 * makes the sealed secrets unreadable, so a key file that is there but wrong is an error, never
 * silently replaced.
 */
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { newSecretKeyText, parseSecretKey, SecretBox } from './secret-box.ts';

export interface ServerKey {
  box: SecretBox;
  /** where the key came from, for the start-up log: 'SECRET_KEY' or the key file's path */
  source: string;
  /** true when this start created the key file */
  created: boolean;
}

export const keyFileOf = (dataDir: string) => path.resolve(dataDir, 'secret.key');

export function loadServerKey(config: { SECRET_KEY?: string; DATA_DIR: string }): ServerKey {
  if (config.SECRET_KEY) {
    return { box: new SecretBox(parseSecretKey(config.SECRET_KEY)), source: 'SECRET_KEY', created: false };
  }
  const file = keyFileOf(config.DATA_DIR);
  const created = createKeyFileIfMissing(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the secret key file ${file}: ${(err as Error).message}`);
  }
  try {
    return { box: new SecretBox(parseSecretKey(text)), source: file, created };
  } catch (err) {
    throw new Error(
      `the secret key file ${file} is not a key: ${(err as Error).message}. ` +
        'Restore it from a backup or set SECRET_KEY; a new key could not open the secrets sealed with the old one.',
    );
  }
}

/**
 * Written to a temporary file, then linked into place: a second process starting at the same moment
 * either wins the link or reads the complete file the first one linked, never a half-written one.
 */
function createKeyFileIfMissing(file: string): boolean {
  if (existsSync(file)) return false;
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  rmSync(temporary, { force: true }); // a leftover would keep its old mode
  writeFileSync(temporary, `${newSecretKeyText()}\n`, { mode: 0o600 });
  try {
    linkSync(temporary, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new Error(`cannot create the secret key file ${file}: ${(err as Error).message}`);
  } finally {
    rmSync(temporary, { force: true });
  }
}
