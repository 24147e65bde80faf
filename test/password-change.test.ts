/**
 * A person changes their own password (PUT /api/auth/password) on real PostgreSQL: they must give the
 * current one, the new one passes the policy, every other session of theirs ends (its open socket is
 * cut within a second) while the one that asked stays, and only the new password signs in after.
 * Bad input is a 400 naming the field and changes nothing; an API token cannot do it; two changes
 * racing with the same current password cannot both win. An administrator (PUT /api/users/:id/password)
 * or an operator (npm run set-password) sets a forgotten password; every session of that person ends.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  type ClientSocket,
  eventually,
  memberWithRole,
  socketFor,
  startServer,
  type TestServer,
} from './harness.ts';

let server: TestServer;
const sockets: ClientSocket[] = [];
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await server.close();
});

const FIRST = 'amber lantern walks the quiet harbour';
const SECOND = 'violet kettle hums beneath seven bridges';
let people = 0;

/** A new account, signed in twice: two sessions, as two browsers would hold. */
async function personWithTwoSessions() {
  const email = `pat-${++people}-${Date.now()}@example.com`;
  await server.admin.ok(server.admin.post('/api/users', { email, name: `Pat ${people}`, password: FIRST }));
  const here = await ApiClient.login(server.baseUrl, email, FIRST);
  const there = await ApiClient.login(server.baseUrl, email, FIRST);
  return { email, here, there };
}

const signIn = (email: string, password: string) =>
  fetch(`${server.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  }).then((r) => r.status);

describe('changing your own password', () => {
  it('needs the current password, ends your other sessions and their sockets, keeps this one, and only the new one signs in', async () => {
    const { email, here, there } = await personWithTwoSessions();
    const socket = await socketFor(server, there);
    sockets.push(socket);
    let cut: string | null = null;
    socket.on('disconnect', (reason) => {
      cut = reason;
    });

    const changed = await here.put('/api/auth/password', { currentPassword: FIRST, newPassword: SECOND });
    expect(changed).toMatchObject({ status: 200, body: { otherSessionsEnded: 1 } });

    expect((await here.get('/api/auth/session')).status).toBe(200);
    expect((await there.get('/api/auth/session')).status).toBe(401);
    await eventually(() => cut === 'io server disconnect', 1000);
    expect(await signIn(email, FIRST)).toBe(401);
    expect(await signIn(email, SECOND)).toBe(200);
  });

  it('refuses bad input with a 400 naming the field, and changes nothing', async () => {
    const { email, here, there } = await personWithTwoSessions();
    const cases: [unknown, string, RegExp][] = [
      [
        { currentPassword: 'not my password at all', newPassword: SECOND },
        'currentPassword',
        /current password/,
      ],
      [{ currentPassword: FIRST, newPassword: FIRST }, 'newPassword', /current password/],
      [{ currentPassword: FIRST, newPassword: 'short one' }, 'newPassword', /at least 15 characters/],
      [{ currentPassword: FIRST, newPassword: 'passwordpassword1' }, 'newPassword', /./],
      [{ currentPassword: FIRST, newPassword: `${email} harbour` }, 'newPassword', /e-mail|name/],
      [{ currentPassword: FIRST }, 'newPassword', /./],
      [{ currentPassword: '', newPassword: SECOND }, 'currentPassword', /./],
      [{ currentPassword: FIRST, newPassword: SECOND, admin: true }, 'admin', /./],
    ];
    for (const [body, field, message] of cases) {
      const res = await here.put<{ error: string; field?: string; message: string }>(
        '/api/auth/password',
        body,
      );
      expect({ body, status: res.status, field: res.body.field }).toEqual({ body, status: 400, field });
      expect(res.body.message).toMatch(message);
    }
    // Nothing changed: the first password still signs in, and the other session is still open.
    expect(await signIn(email, FIRST)).toBe(200);
    expect((await there.get('/api/auth/session')).status).toBe(200);
  });

  it('is refused to an API token (403), which is no proof of the password', async () => {
    const { email, here } = await personWithTwoSessions();
    const { token } = await here.ok(here.post<{ token: string }>('/api/tokens', { name: 'ci' }));
    const res = await here
      .withToken(token)
      .put<{ error: string }>('/api/auth/password', { currentPassword: FIRST, newPassword: SECOND });
    expect(res).toMatchObject({ status: 403, body: { error: 'FORBIDDEN' } });
    expect(await signIn(email, FIRST)).toBe(200);
  });

  it('two changes racing with the same current password: exactly one wins, and its password is the one set', async () => {
    for (let round = 0; round < 5; round++) {
      const { email, here, there } = await personWithTwoSessions();
      const THIRD = `copper meadow ${round} drifts past the lighthouse`;
      const [a, b] = await Promise.all([
        here.put('/api/auth/password', { currentPassword: FIRST, newPassword: SECOND }),
        there.put('/api/auth/password', { currentPassword: FIRST, newPassword: THIRD }),
      ]);
      const statuses = [a.status, b.status].sort();
      expect(statuses[0]).toBe(200);
      // the loser finds the password changed (409), its check too late (400), or its session ended (401)
      expect([400, 401, 409]).toContain(statuses[1]);
      const winner = a.status === 200 ? SECOND : THIRD;
      const loser = a.status === 200 ? THIRD : SECOND;
      expect(await signIn(email, winner)).toBe(200);
      expect(await signIn(email, loser)).toBe(401);
      expect(await signIn(email, FIRST)).toBe(401);
    }
  });
});

describe('setting a forgotten password', () => {
  it('an administrator sets it: the policy applies, every session of theirs ends, the new one signs in', async () => {
    const { email, here, there } = await personWithTwoSessions();
    const socket = await socketFor(server, here);
    sockets.push(socket);
    let cut = false;
    socket.on('disconnect', () => {
      cut = true;
    });
    const url = `/api/users/${here.userId}/password`;

    const weak = await server.admin.put<{ field: string }>(url, { newPassword: 'password password' });
    expect(weak).toMatchObject({ status: 400, body: { field: 'newPassword' } });
    const unknown = await server.admin.put('/api/users/00000000-0000-4000-8000-000000000000/password', {
      newPassword: SECOND,
    });
    expect(unknown.status).toBe(404);
    expect(await signIn(email, FIRST)).toBe(200);

    const set = await server.admin.put(url, { newPassword: SECOND });
    expect(set).toMatchObject({ status: 200, body: { sessionsEnded: 3 } }); // here, there, and the check above
    expect((await here.get('/api/auth/session')).status).toBe(401);
    expect((await there.get('/api/auth/session')).status).toBe(401);
    await eventually(() => cut, 1000);
    expect(await signIn(email, FIRST)).toBe(401);
    expect(await signIn(email, SECOND)).toBe(200);
  });

  it('only a site administrator may: every board role and an outsider get 403, nobody signed in 401, and nothing changes', async () => {
    const { email, here } = await personWithTwoSessions();
    const board = await server.admin.createBoard('Passwords');
    const other = await server.admin.createBoard('Elsewhere');
    const callers = [
      ...(await Promise.all(
        (['admin', 'product_owner', 'developer', 'maintenance', 'viewer'] as const).map((role) =>
          memberWithRole(server, board.id, role),
        ),
      )),
      await memberWithRole(server, other.id, 'developer', 'outsider'),
    ];
    for (const caller of callers) {
      const res = await caller.put(`/api/users/${here.userId}/password`, { newPassword: SECOND });
      expect({ caller: caller.userId, status: res.status }).toEqual({ caller: caller.userId, status: 403 });
    }
    const anonymous = new ApiClient(server.baseUrl);
    expect((await anonymous.put(`/api/users/${here.userId}/password`, { newPassword: SECOND })).status).toBe(
      401,
    );
    expect(
      (await anonymous.put('/api/auth/password', { currentPassword: FIRST, newPassword: SECOND })).status,
    ).toBe(401);
    expect(await signIn(email, FIRST)).toBe(200);
  });

  it('an operator sets it with npm run set-password (NEW_PASSWORD from the environment); a weak one or an unknown e-mail changes nothing', async () => {
    const { email, here } = await personWithTwoSessions();
    const run = (who: string, password: string) =>
      spawnSync('npm', ['run', '--silent', 'set-password', '--', who], {
        env: {
          ...process.env,
          DATABASE_URL: server.databaseUrl,
          NEW_PASSWORD: password,
          LOG_LEVEL: 'silent',
        },
        encoding: 'utf8',
      });
    const weak = run(email, 'password password');
    expect(weak.status).toBe(2);
    expect(weak.stderr).toMatch(/^NEW_PASSWORD: /m);
    const nobody = run('nobody@example.com', SECOND);
    expect(nobody.status).toBe(1);
    expect(nobody.stderr).toMatch(/no account has the e-mail nobody@example.com/);
    expect(await signIn(email, FIRST)).toBe(200);

    const done = run(email, SECOND);
    expect(done.stderr).toBe('');
    expect(done.status).toBe(0);
    expect(done.stdout).toMatch(new RegExp(`password set for ${email}; \\d+ session\\(s\\) ended`));
    expect((await here.get('/api/auth/session')).status).toBe(401);
    expect(await signIn(email, FIRST)).toBe(401);
    expect(await signIn(email, SECOND)).toBe(200);
  }, 60_000);
});
