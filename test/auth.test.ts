/** Accounts and access: sign-in, sessions, CSRF, API tokens, first-run set-up. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, ApiClient, startServer, type TestServer } from './harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

describe('signing in', () => {
  it('sets an HTTP-only session cookie and returns the user with a CSRF token', async () => {
    const res = await fetch(`${server.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ADMIN@example.com', password: ADMIN_PASSWORD }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^bb_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const body = (await res.json()) as { user: { email: string; isAdmin: boolean }; csrfToken: string };
    expect(body.user).toMatchObject({ email: 'admin@example.com', isAdmin: true });
    expect(body.csrfToken.length).toBeGreaterThan(20);
  });

  it('refuses wrong credentials with 401 and no cookie', async () => {
    const anon = new ApiClient(server.baseUrl);
    const res = await anon.post('/api/auth/login', { email: 'admin@example.com', password: 'nope-nope' });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: 'UNAUTHENTICATED' });
    expect(res.headers.get('set-cookie')).toBeNull();
    const unknown = await anon.post('/api/auth/login', { email: 'ghost@example.com', password: 'whatever1' });
    expect(unknown.status).toBe(401);
  });

  it('answers 401 on the API without a session or token', async () => {
    const anon = new ApiClient(server.baseUrl);
    const res = await anon.get('/api/boards');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: 'UNAUTHENTICATED', message: expect.any(String) });
  });

  it('refuses a cookie-authenticated write without the CSRF header, and changes nothing', async () => {
    const res = await fetch(`${server.baseUrl}/api/boards`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: server.admin.sessionCookie! },
      body: JSON.stringify({ name: 'Forged' }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'CSRF_FAILED' });
    const boards = await server.admin.ok(server.admin.get<{ name: string }[]>('/api/boards'));
    expect(boards.map((b) => b.name)).not.toContain('Forged');
  });

  it('logs out: the old cookie no longer works', async () => {
    const client = await ApiClient.login(server.baseUrl, 'admin@example.com', ADMIN_PASSWORD);
    expect((await client.get('/api/auth/session')).status).toBe(200);
    expect((await client.post('/api/auth/logout')).status).toBe(204);
    expect((await client.get('/api/auth/session')).status).toBe(401);
  });

  it('rate-limits repeated sign-in attempts for one e-mail', async () => {
    const limited = await startServer({ LOGIN_RATE_LIMIT: '3' });
    try {
      const anon = new ApiClient(limited.baseUrl);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        statuses.push(
          (await anon.post('/api/auth/login', { email: 'victim@example.com', password: 'guess-guess' }))
            .status,
        );
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('personal API tokens', () => {
  it('are created once-visible, work as Bearer, are listed without the secret, and stop working when revoked', async () => {
    const created = await server.admin.ok(
      server.admin.post<{ id: string; token: string; prefix: string }>('/api/tokens', { name: 'ci script' }),
    );
    expect(created.token).toMatch(/^bb_/);
    const bot = new ApiClient(server.baseUrl).withToken(created.token);
    expect((await bot.get('/api/boards')).status).toBe(200);
    // A bearer write needs no CSRF token: it is not a browser credential.
    expect((await bot.post('/api/boards', { name: 'From a script' })).status).toBe(201);

    const list = await server.admin.ok(server.admin.get<Record<string, unknown>[]>('/api/tokens'));
    const listed = list.find((t) => t.id === created.id);
    expect(listed).toMatchObject({ name: 'ci script', prefix: created.prefix, revokedAt: null });
    expect(JSON.stringify(list)).not.toContain(created.token);

    expect((await server.admin.delete(`/api/tokens/${created.id}`)).status).toBe(204);
    const after = await bot.get('/api/boards');
    expect(after.status).toBe(401);
  });
});

describe('first-run set-up', () => {
  it('is offered while no account exists, creates the admin once, then is closed', async () => {
    const fresh = await startServer();
    try {
      // The harness created an admin; remove every account to get a first-run database.
      await fresh.db.deleteFrom('users').execute();
      const anon = new ApiClient(fresh.baseUrl);
      expect((await anon.get('/api/setup')).body).toEqual({ needed: true });
      const bad = await anon.post('/api/setup', {
        email: 'owner@example.com',
        name: 'Owner',
        password: 'short',
      });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ error: 'VALIDATION_FAILED', field: 'password' });
      const [a, b] = await Promise.all([
        anon.post('/api/setup', {
          email: 'owner@example.com',
          name: 'Owner',
          password: 'owner copper meadow lantern',
        }),
        anon.post('/api/setup', {
          email: 'intruder@example.com',
          name: 'Intruder',
          password: 'owner copper meadow lantern',
        }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      expect((await anon.get('/api/setup')).body).toEqual({ needed: false });
      // Once done, the form answers SETUP_DONE before judging any password.
      const late = await anon.post('/api/setup', { email: 'late@example.com', name: 'Late', password: 'x' });
      expect(late.status).toBe(409);
      expect(late.body).toMatchObject({ error: 'SETUP_DONE' });
      expect(await fresh.db.selectFrom('users').select('email').execute()).toHaveLength(1);
    } finally {
      await fresh.close();
    }
  });
});

describe('choosing a password', () => {
  const WEAK = [
    ['password', /^password: must be at least 15 characters/],
    ['12345678', /^password: must be at least 15 characters/],
    ['        ', /^password: must not be only spaces/],
    [' '.repeat(20), /^password: must not be only spaces/],
    ['passwordpassword', /^password: too common — /],
    ['qwertyuiopasdfgh', /^password: too common — /],
  ] as const;

  it('refuses weak and common passwords for a new account with a 400 naming password, and creates nothing', async () => {
    for (const [password, message] of WEAK) {
      const email = `weak-${WEAK.findIndex(([p]) => p === password)}@example.com`;
      const res = await server.admin.post('/api/users', { email, name: 'Weak', password });
      expect(res.status, JSON.stringify(password)).toBe(400);
      expect(res.body, JSON.stringify(password)).toMatchObject({
        error: 'VALIDATION_FAILED',
        field: 'password',
        message: expect.stringMatching(message),
      });
      expect(await server.db.selectFrom('users').select('id').where('email', '=', email).execute()).toEqual(
        [],
      );
    }
  });

  it("refuses a password built on the account's e-mail, name or the product's name", async () => {
    const person = { email: 'grace.hopper@navy.example', name: 'Grace Hopper' };
    for (const password of ['grace.hopper@navy.example', 'gracehopper2026!!', 'blendboard2026!!']) {
      const res = await server.admin.post('/api/users', { ...person, password });
      expect(res.status, password).toBe(400);
      expect(res.body, password).toMatchObject({
        field: 'password',
        message: expect.stringMatching(
          /^password: too easy to guess — .*e-mail, your name or the product's name/,
        ),
      });
    }
    const ok = await server.admin.post('/api/users', {
      ...person,
      password: 'grace keeps seven copper kites',
    });
    expect(ok.status).toBe(201);
    await ApiClient.login(server.baseUrl, person.email, 'grace keeps seven copper kites');
  });

  it('accepts a long passphrase with spaces and no digits or symbols', async () => {
    const res = await server.admin.post('/api/users', {
      email: 'passphrase@example.com',
      name: 'Pass Phrase',
      password: 'velvet harbour crumpet sideways',
    });
    expect(res.status).toBe(201);
  });

  it('applies to the first-run set-up form and to ADMIN_PASSWORD at start', async () => {
    const fresh = await startServer();
    try {
      await fresh.db.deleteFrom('users').execute();
      const anon = new ApiClient(fresh.baseUrl);
      for (const password of ['12345678', 'passwordpassword', 'owner@owner.example']) {
        const res = await anon.post('/api/setup', { email: 'owner@owner.example', name: 'Owner', password });
        expect(res.status, password).toBe(400);
        expect(res.body, password).toMatchObject({ error: 'VALIDATION_FAILED', field: 'password' });
      }
      await expect(fresh.app.services.auth.ensureAdmin('ops@example.com', 'ops-password')).rejects.toThrow(
        /^password: must be at least 15 characters/,
      );
      expect((await anon.get('/api/setup')).body).toEqual({ needed: true });
    } finally {
      await fresh.close();
    }
  });
});
