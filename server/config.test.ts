import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';
import { MOVE_ADMISSION_LIMITS } from './sync/move-admission.ts';

describe('configuration', () => {
  it('fills defaults: port 3000 and the embedded database', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.DATA_DIR).toBe('./data');
  });

  it('gives each mover the allowance move admission is built with, unless set', () => {
    expect(loadConfig({}).MOVES_PER_SECOND_PER_PERSON).toBe(MOVE_ADMISSION_LIMITS.movesPerSecond);
    expect(loadConfig({ MOVES_PER_SECOND_PER_PERSON: '40' }).MOVES_PER_SECOND_PER_PERSON).toBe(40);
    expect(() => loadConfig({ MOVES_PER_SECOND_PER_PERSON: '0' })).toThrow(/MOVES_PER_SECOND_PER_PERSON/);
  });

  it('sizes the database pool at 20 unless set, and refuses a size that leaves no room beside the listeners', () => {
    expect(loadConfig({}).DATABASE_POOL_SIZE).toBe(20);
    expect(loadConfig({ DATABASE_POOL_SIZE: '8' }).DATABASE_POOL_SIZE).toBe(8);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '2' })).toThrow(/DATABASE_POOL_SIZE="2"/);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: 'many' })).toThrow(/DATABASE_POOL_SIZE/);
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

  it('refuses a weak ADMIN_PASSWORD at start, naming the variable and never showing the value', () => {
    for (const weak of ['password', '12345678', '        ', 'passwordpassword', 'ada.lovelace.2026!']) {
      const load = () => loadConfig({ ADMIN_EMAIL: 'ada.lovelace@example.com', ADMIN_PASSWORD: weak });
      expect(load, weak).toThrow(ConfigError);
      expect(load, weak).toThrow(/ADMIN_PASSWORD: /);
      expect(load, weak).not.toThrow(JSON.stringify(weak));
    }
    expect(() => loadConfig({ ADMIN_EMAIL: 'ada@example.com', ADMIN_PASSWORD: 'blendboard' })).toThrow(
      /ADMIN_PASSWORD: must be at least 15 characters/,
    );
    const c = loadConfig({
      ADMIN_EMAIL: 'ada@example.com',
      ADMIN_PASSWORD: 'velvet harbour crumpet sideways',
    });
    expect(c.ADMIN_PASSWORD).toBe('velvet harbour crumpet sideways');
  });
});
