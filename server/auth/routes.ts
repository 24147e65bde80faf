/** Sign-in, first-run set-up, accounts and personal API tokens. Thin: schema, then one service call. */
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import {
  ChangePasswordBody,
  ErrorSchema,
  PasswordChangedSchema,
  PasswordSetSchema,
  SetPasswordBody,
  UserSchema,
  Uuid,
} from '../../protocol/model.ts';
import type { Config } from '../config.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../domain/password-policy.ts';
import { SESSION_COOKIE } from '../infra/http.ts';
import { actor } from './http.ts';
import type { AuthService } from './service.ts';

const Email = Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$', maxLength: 254, description: 'e-mail address' });
// Length and strength are the password policy's (server/domain/password-policy.ts), so the refusal says why.
const Password = Type.String({
  maxLength: PASSWORD_MAX_LENGTH,
  description: `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters, spaces allowed; not a common password, not built on the e-mail, the name or "Blendboard"`,
});
const SessionReply = Type.Object({ user: UserSchema, csrfToken: Type.String() });
const Token = Type.Object({
  id: Uuid,
  name: Type.String(),
  prefix: Type.String(),
  createdAt: Type.String(),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});
const errors = {
  400: ErrorSchema,
  401: ErrorSchema,
  403: ErrorSchema,
  404: ErrorSchema,
  409: ErrorSchema,
  429: ErrorSchema,
};

export const authRoutes: FastifyPluginAsyncTypebox<{ auth: AuthService; config: Config }> = async (
  app,
  { auth, config },
) => {
  const setCookie = (reply: { setCookie: (...a: never[]) => unknown }, token: string, expires: Date) =>
    (reply.setCookie as (n: string, v: string, o: object) => unknown)(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.COOKIE_SECURE,
      path: '/',
      expires,
    });

  app.post(
    '/api/auth/login',
    {
      config: {
        public: true,
        rateLimit: {
          max: config.LOGIN_RATE_LIMIT,
          timeWindow: '1 minute',
          keyGenerator: (req) =>
            `${req.ip}:${String((req.body as { email?: unknown })?.email ?? '').toLowerCase()}`,
        },
      },
      schema: {
        tags: ['auth'],
        summary: 'Sign in; sets the HTTP-only session cookie',
        body: Type.Object(
          { email: Email, password: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: { 200: SessionReply, ...errors },
      },
    },
    async (req, reply) => {
      const s = await auth.login(req.body.email, req.body.password);
      setCookie(reply as never, s.sessionToken, s.expiresAt);
      return { user: s.user, csrfToken: s.csrfToken };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      config: { public: true },
      schema: { tags: ['auth'], summary: 'Sign out', response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      const cookie = req.cookies[SESSION_COOKIE];
      if (cookie) await auth.logout(cookie);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/auth/session',
    {
      schema: {
        tags: ['auth'],
        summary: 'Who is signed in, and the CSRF token for writes',
        response: { 200: SessionReply, 401: ErrorSchema },
      },
    },
    async (req) => {
      const { csrfToken, ...user } = req.user!;
      return { user, csrfToken: csrfToken ?? '' };
    },
  );

  // The web app's first question on every page load. Public and always 200, so a signed-out visitor's
  // first load logs no failed request in the console; it also answers whether set-up is needed,
  // one round trip instead of two. API clients keep /api/auth/session (401 when signed out).
  app.get(
    '/api/auth/probe',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Who is signed in, if anyone, and whether the one-time set-up form is needed',
        response: {
          200: Type.Object({
            user: Type.Union([UserSchema, Type.Null()]),
            csrfToken: Type.String({ description: 'empty when nobody is signed in' }),
            setupNeeded: Type.Boolean(),
          }),
        },
      },
    },
    async (req) => {
      if (req.user) {
        const { csrfToken, ...user } = req.user;
        return { user, csrfToken: csrfToken ?? '', setupNeeded: false };
      }
      return { user: null, csrfToken: '', setupNeeded: await auth.setupNeeded() };
    },
  );

  app.get(
    '/api/setup',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Whether the one-time set-up form is needed',
        response: { 200: Type.Object({ needed: Type.Boolean() }) },
      },
    },
    async () => ({ needed: await auth.setupNeeded() }),
  );

  app.post(
    '/api/setup',
    {
      config: { public: true, rateLimit: { max: config.LOGIN_RATE_LIMIT, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: 'Create the first administrator (only while no account exists)',
        body: Type.Object(
          { email: Email, name: Type.String({ minLength: 1, maxLength: 100 }), password: Password },
          { additionalProperties: false },
        ),
        response: { 200: SessionReply, ...errors },
      },
    },
    async (req, reply) => {
      const s = await auth.setup(req.body.email, req.body.name, req.body.password);
      setCookie(reply as never, s.sessionToken, s.expiresAt);
      return { user: s.user, csrfToken: s.csrfToken };
    },
  );

  app.put(
    '/api/auth/password',
    {
      config: {
        // Each wrong current password is a guess at it: limited as sign-in is, per person.
        rateLimit: {
          max: config.LOGIN_RATE_LIMIT,
          timeWindow: '1 minute',
          keyGenerator: (req) => `password:${req.user?.id ?? req.ip}`,
        },
      },
      schema: {
        tags: ['auth'],
        summary:
          'Change your own password (signed in with a session, not an API token); your other sessions end',
        body: ChangePasswordBody,
        response: { 200: PasswordChangedSchema, ...errors },
      },
    },
    async (req) =>
      auth.changePassword(
        req.user!.id,
        req.authVia === 'session' ? (req.cookies[SESSION_COOKIE] ?? null) : null,
        req.body,
      ),
  );

  app.post(
    '/api/users',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create an account (administrators only)',
        body: Type.Object(
          {
            email: Email,
            name: Type.String({ minLength: 1, maxLength: 100 }),
            password: Password,
            isAdmin: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 201: UserSchema, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await auth.createUser(actor(req), req.body)),
  );

  app.put(
    '/api/users/:userId/password',
    {
      schema: {
        tags: ['auth'],
        summary: "Set someone's password (administrators only); every session of theirs ends",
        params: Type.Object({ userId: Uuid }),
        body: SetPasswordBody,
        response: { 200: PasswordSetSchema, ...errors },
      },
    },
    async (req) => auth.setPasswordFor(actor(req), req.params.userId, req.body.newPassword),
  );

  app.get(
    '/api/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Your personal API tokens',
        response: { 200: Type.Array(Token), 401: ErrorSchema },
      },
    },
    async (req) => auth.listTokens(req.user!),
  );

  app.post(
    '/api/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary:
          'Create a personal API token; the secret is shown once. Send it as Authorization: Bearer <token>',
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 100 }) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Intersect([Token, Type.Object({ token: Type.String() })]), ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await auth.createToken(req.user!, req.body.name)),
  );

  app.delete(
    '/api/tokens/:tokenId',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Revoke a token',
        params: Type.Object({ tokenId: Uuid }),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      await auth.revokeToken(req.user!, req.params.tokenId);
      return reply.status(204).send(null);
    },
  );
};
