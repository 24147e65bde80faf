/**
 * Test harness: a real server on a fresh PostgreSQL database of its own (cloned from the migrated
 * template), listening on a free port, plus domain-named helpers to arrange users and boards and an
 * HTTP client that signs in like the web app does (cookie + CSRF header) or uses a bearer token.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { io as connectSocket, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { inject } from 'vitest';
import type { Board, Card, Role } from '../protocol/model.ts';
import type { ClientToServer, ServerToClient } from '../protocol/socket.ts';
import { type App, buildApp } from '../server/app.ts';
import { type Config, loadConfig } from '../server/config.ts';
import { createDb, type Db } from '../server/infra/database.ts';
import type { SecretBox } from '../server/infra/secret-box.ts';
import { loadServerKey } from '../server/infra/secret-key.ts';
import { withDatabase } from './global-setup.ts';

export interface TestServer {
  app: App;
  db: Db;
  baseUrl: string;
  databaseUrl: string;
  /** the server key's box: seals and opens installation secrets as this server does */
  secrets: SecretBox;
  admin: ApiClient;
  close(): Promise<void>;
}

/** The server key of test servers unless a test passes its own SECRET_KEY (fixed: restarts keep it). */
export const TEST_SECRET_KEY = Buffer.alloc(32, 'blendboard-test-key').toString('base64');

/** A fresh database cloned from the migrated template. */
export async function freshDatabase(): Promise<string> {
  const server = inject('pgServerUrl');
  const name = `bb_t_${inject('runId')}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${inject('templateDatabase')}`);
  } finally {
    await admin.end();
  }
  return withDatabase(server, name);
}

/** Passwords the password policy accepts (long, not common, not built on the account's e-mail). */
export const ADMIN_PASSWORD = 'velvet harbour crumpet admin';
export const MEMBER_PASSWORD = 'member kettle orbit seventy';

export async function startServer(
  env: Record<string, string> = {},
  databaseUrl?: string,
): Promise<TestServer> {
  const url = databaseUrl ?? (await freshDatabase());
  const config: Config = loadConfig({
    LOG_LEVEL: 'silent',
    WEB_DIST: 'no-web-in-api-tests',
    LOGIN_RATE_LIMIT: '1000',
    SECRET_KEY: TEST_SECRET_KEY,
    ...env,
  });
  const { db, pool } = createDb(url, 8);
  const secrets = loadServerKey(config).box;
  const app = await buildApp({ config, db, pool, secrets });
  await app.http.listen({ port: 0, host: '127.0.0.1' });
  const address = app.http.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const baseUrl = `http://127.0.0.1:${port}`;
  await app.services.auth.ensureAdmin('admin@example.com', ADMIN_PASSWORD);
  const admin = await ApiClient.login(baseUrl, 'admin@example.com', ADMIN_PASSWORD);
  return {
    app,
    db,
    baseUrl,
    databaseUrl: url,
    secrets,
    admin,
    async close() {
      await app.http.close();
      await db.destroy();
    },
  };
}

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly auth: { cookie?: string; csrf?: string; token?: string } = {},
    readonly userId: string | null = null,
  ) {}

  static async login(baseUrl: string, email: string, password: string): Promise<ApiClient> {
    const res = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { csrfToken: string; user: { id: string } };
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
    return new ApiClient(baseUrl, { cookie, csrf: body.csrfToken }, body.user.id);
  }

  withToken(token: string): ApiClient {
    return new ApiClient(this.baseUrl, { token }, this.userId);
  }

  get sessionCookie(): string | undefined {
    return this.auth.cookie;
  }

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined) h['content-type'] ??= 'application/json';
    if (this.auth.cookie) h.cookie = this.auth.cookie;
    if (this.auth.csrf && method !== 'GET') h['x-csrf-token'] = this.auth.csrf;
    if (this.auth.token) h.authorization = `Bearer ${this.auth.token}`;
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get = <T = unknown>(path: string) => this.request<T>('GET', path);
  post = <T = unknown>(path: string, body?: unknown) => this.request<T>('POST', path, body ?? {});
  patch = <T = unknown>(path: string, body: unknown) => this.request<T>('PATCH', path, body);
  put = <T = unknown>(path: string, body: unknown) => this.request<T>('PUT', path, body);
  delete = <T = unknown>(path: string) => this.request<T>('DELETE', path);

  /** Throws unless the status is 2xx: for arranging a test, not for asserting. */
  async ok<T>(res: Promise<ApiResponse<T>>): Promise<T> {
    const r = await res;
    if (r.status >= 300) throw new Error(`expected success, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  createBoard(name = 'Payments'): Promise<Board> {
    return this.ok(this.post<Board>('/api/boards', { name }));
  }

  createCard(boardId: string, card: Record<string, unknown> = {}): Promise<Card> {
    return this.ok(
      this.post<Card>(`/api/boards/${boardId}/cards`, { title: 'A card', type: 'story', ...card }),
    );
  }

  async cards(boardId: string): Promise<Card[]> {
    return this.ok(this.get<Card[]>(`/api/boards/${boardId}/cards`));
  }
}

let userCounter = 0;
/** Creates an account and gives it a role on the board; returns a signed-in client. */
export async function memberWithRole(
  server: TestServer,
  boardId: string,
  role: Role,
  name: string = role,
): Promise<ApiClient> {
  const email = `${name}-${++userCounter}-${randomBytes(3).toString('hex')}@example.com`;
  await server.admin.ok(
    server.admin.post('/api/users', { email, name: `${name} ${userCounter}`, password: MEMBER_PASSWORD }),
  );
  await server.admin.ok(server.admin.put(`/api/boards/${boardId}/members`, { email, role }));
  return ApiClient.login(server.baseUrl, email, MEMBER_PASSWORD);
}

export type ClientSocket = Socket<ServerToClient, ClientToServer>;

/** A socket.io client signed in with the given client's session cookie, or with an API token. */
export async function socketFor(
  server: TestServer,
  client: ApiClient | { token: string },
): Promise<ClientSocket> {
  const credentials: Partial<ManagerOptions & SocketOptions> =
    'token' in client
      ? { auth: { token: client.token } }
      : { extraHeaders: client.sessionCookie ? { cookie: client.sessionCookie } : {} };
  const socket: ClientSocket = connectSocket(server.baseUrl, {
    transports: ['websocket'],
    ...credentials,
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/**
 * Holds the board's row lock from another connection, so the board's writes wait in PostgreSQL
 * until `release`.
 */
export async function holdBoardRow(server: TestServer, boardId: string) {
  const client = new pg.Client({ connectionString: server.databaseUrl });
  await client.connect();
  await client.query('begin');
  await client.query('select 1 from boards where id = $1 for update', [boardId]);
  return {
    async release() {
      await client.query('commit');
      await client.end();
    },
  };
}

/** Resolves when the predicate holds, polling; fails after the timeout. No fixed sleeps. */
export async function eventually<T>(probe: () => T | Promise<T>, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}

/** An account a board's admin lets use the board's request portal (a requester, not a member); signed in. */
export async function requesterOn(server: TestServer, boardId: string, name: string): Promise<ApiClient> {
  const email = `${name}-${++userCounter}-${randomBytes(3).toString('hex')}@customer.example`;
  await server.admin.ok(server.admin.post('/api/users', { email, name, password: MEMBER_PASSWORD }));
  await server.admin.ok(server.admin.put(`/api/boards/${boardId}/requesters`, { email }));
  return ApiClient.login(server.baseUrl, email, MEMBER_PASSWORD);
}
