/**
 * The web app's first request, the session probe: always 200 (a signed-out first load logs no
 * failed request), naming the user and a CSRF token when signed in, nobody after sign-out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, ApiClient, startServer, type TestServer } from './harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

type Probe = { user: { email: string } | null; csrfToken: string; setupNeeded: boolean };

describe('the session probe', () => {
  it('answers 200 with nobody signed in (set-up already done), where the session route answers 401', async () => {
    const anon = new ApiClient(server.baseUrl);
    const probe = await anon.get<Probe>('/api/auth/probe');
    expect(probe.status).toBe(200);
    expect(probe.body).toEqual({ user: null, csrfToken: '', setupNeeded: false });
    expect((await anon.get('/api/auth/session')).status).toBe(401);
  });

  it('names the signed-in user with the CSRF token of the session, and nobody once signed out', async () => {
    const client = await ApiClient.login(server.baseUrl, 'admin@example.com', ADMIN_PASSWORD);
    const session = await client.ok(client.get<{ csrfToken: string }>('/api/auth/session'));
    const probe = await client.ok(client.get<Probe>('/api/auth/probe'));
    expect(probe.user).toMatchObject({ email: 'admin@example.com' });
    expect(probe.csrfToken).toBe(session.csrfToken);
    expect(probe.setupNeeded).toBe(false);
    await client.post('/api/auth/logout');
    expect((await client.get<Probe>('/api/auth/probe')).body).toMatchObject({ user: null, csrfToken: '' });
  });
});
