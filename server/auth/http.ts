/**
 * Who is calling an /api route: the session cookie or the bearer token resolved to a user, CSRF
 * checked for cookie-authenticated writes. Routes read the caller with `actor(req)`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../access/board-access.ts';
import { AppError } from '../infra/errors.ts';
import { bearerToken, CSRF_HEADER, SESSION_COOKIE } from '../infra/http.ts';
import { type AuthenticatedUser, type AuthService, actorOf } from './service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthenticatedUser | null;
    authVia: 'session' | 'token' | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Resolves the caller for /api routes and refuses the unauthenticated or a write without CSRF token. */
export function registerAuthentication(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('user', null);
  app.decorateRequest('authVia', null);
  app.addHook('onRequest', async (req: FastifyRequest) => {
    if (!req.url.startsWith('/api/') || req.url.startsWith('/api/docs') || req.is404) return;
    const token = bearerToken(req.headers.authorization);
    if (token) {
      req.user = await auth.fromToken(token);
      if (req.user) req.authVia = 'token';
      else throw new AppError('UNAUTHENTICATED', 'the API token is unknown or revoked');
    } else {
      const cookie = req.cookies[SESSION_COOKIE];
      if (cookie) {
        req.user = await auth.fromSession(cookie);
        if (req.user) req.authVia = 'session';
      }
    }
    if (req.routeOptions.config.public) return;
    if (!req.user) throw new AppError('UNAUTHENTICATED', 'sign in or send an API token');
    if (req.authVia === 'session' && !SAFE_METHODS.has(req.method)) {
      if (req.headers[CSRF_HEADER] !== req.user.csrfToken) {
        throw new AppError(
          'CSRF_FAILED',
          `missing or wrong ${CSRF_HEADER} header for a cookie-authenticated write`,
        );
      }
    }
  });
}

/** The signed-in actor; routes that are not public can rely on it. */
export function actor(req: FastifyRequest): Actor {
  if (!req.user) throw new AppError('UNAUTHENTICATED', 'sign in or send an API token');
  return actorOf(req.user);
}
