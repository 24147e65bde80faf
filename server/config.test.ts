import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration', () => {
  it('fills defaults: port 3000 and the embedded database', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.DATA_DIR).toBe('./data');
  });

  it('reads typed values from strings', () => {
    const c = loadConfig({ PORT: '8080', COOKIE_SECURE: 'true', DATABASE_URL: 'postgres://u@h/db' });
    expect(c).toMatchObject({ PORT: 8080, COOKIE_SECURE: true, DATABASE_URL: 'postgres://u@h/db' });
  });

  it('stops with a message naming the variable and what it expects', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT="eighty".*expected HTTP port/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ ADMIN_EMAIL: 'a@b.c' })).toThrow(/ADMIN_PASSWORD/);
  });
});
