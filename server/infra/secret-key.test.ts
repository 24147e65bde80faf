/** The server key at start-up: SECRET_KEY, or DATA_DIR/secret.key created once and then reused. */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newSecretKeyText } from './secret-box.ts';
import { keyFileOf, loadServerKey } from './secret-key.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bb-secret-key-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('without SECRET_KEY', () => {
  it('creates DATA_DIR/secret.key on first start, readable by the owner only, and reuses it after', () => {
    const dataDir = path.join(tempDir(), 'data'); // not there yet, as with DATABASE_URL set
    const first = loadServerKey({ DATA_DIR: dataDir });
    const file = keyFileOf(dataDir);
    expect(first).toMatchObject({ source: file, created: true });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const sealed = first.box.seal('the webhook secret');

    const again = loadServerKey({ DATA_DIR: dataDir });
    expect(again).toMatchObject({ source: file, created: false });
    expect(again.box.open(sealed)).toBe('the webhook secret');
    expect(readFileSync(file, 'utf8').trim()).toHaveLength(44);
  });

  it('refuses a damaged key file instead of replacing it', () => {
    const dataDir = tempDir();
    writeFileSync(keyFileOf(dataDir), 'half a key\n', { mode: 0o600 });
    expect(() => loadServerKey({ DATA_DIR: dataDir })).toThrow(/secret key file .* is not a key.*SECRET_KEY/);
    expect(readFileSync(keyFileOf(dataDir), 'utf8')).toBe('half a key\n');
  });
});

describe('with SECRET_KEY', () => {
  it('uses it and writes no key file', () => {
    const dataDir = tempDir();
    const key = newSecretKeyText();
    const server = loadServerKey({ DATA_DIR: dataDir, SECRET_KEY: key });
    expect(server).toMatchObject({ source: 'SECRET_KEY', created: false });
    expect(existsSync(keyFileOf(dataDir))).toBe(false);
    // The same key in the file opens what SECRET_KEY sealed: moving between the two loses nothing.
    writeFileSync(keyFileOf(dataDir), key, { mode: 0o600 });
    expect(loadServerKey({ DATA_DIR: dataDir }).box.open(server.box.seal('s'))).toBe('s');
  });
});
