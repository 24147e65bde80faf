/**
 * HTTP plumbing shared by every feature: the credentials' names, input no route can store or walk
 * safely, and the one error shape {error, message, field?}. Who is calling is auth/http.ts.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, invalid } from './errors.ts';

export const SESSION_COOKIE = 'bb_session';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without signing in. */
    public?: boolean;
  }
}

/**
 * An If-Match header's revision (`3`, `"3"` or `W/"3"`), for saves that must be refused when made on
 * an older revision; undefined without the header, a 400 naming If-Match when it is not one.
 */
export function ifMatchRevision(header: string | undefined, what: string): number | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!m) throw invalid('If-Match', `send the ${what} revision the change was made on, e.g. "3"`);
  return Number(m[1]);
}

export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m?.[1] ?? null;
}

/** How deep a request's JSON may nest; no route's input comes near it (plugin configs: a few levels). */
/**
 * A request URL as the logs keep it: a secret carried in the query string (the release calendar's
 * `?token=`, which calendar apps can send no other way) replaced by `[redacted]`.
 */
export function loggedUrl(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/gi, '$1[redacted]');
}

export const MAX_INPUT_DEPTH = 32;

/**
 * Refuses, naming the field, what no schema can be trusted to stop: the NUL character (PostgreSQL
 * text and jsonb cannot hold U+0000, so it would fail as a server error deep in a query) and JSON
 * nested deeper than MAX_INPUT_DEPTH (validators, structuredClone and JSON.stringify recurse, and a
 * few thousand levels overflow the stack). The walk keeps its own list of containers, so it cannot
 * overflow, and builds a field's path only for the one it refuses: it runs on every request, and a
 * body of half a million array items must cost no more than parsing it did.
 */
export function checkInput(value: unknown, part: string): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) throw invalid(part, 'must not contain the NUL character (U+0000)');
    return;
  }
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return;
  const containers: object[] = [value];
  const parents: number[] = [-1];
  const keys: string[] = [''];
  const depths: number[] = [1];
  const pathOf = (container: number, key: string) => {
    const path = [key];
    for (let c = container; c > 0; c = parents[c]!) path.unshift(keys[c]!);
    return path.join('.');
  };
  // Keys are made strings only for a refusal or a nested container: most items are neither.
  const visit = (i: number, child: unknown, key: string | number) => {
    if (typeof child === 'string') {
      if (child.includes('\u0000'))
        throw invalid(pathOf(i, String(key)), 'must not contain the NUL character (U+0000)');
    } else if (child !== null && typeof child === 'object') {
      if (depths[i]! === MAX_INPUT_DEPTH) {
        throw invalid(
          pathOf(i, String(key)).split('.')[0]!,
          `is nested deeper than ${MAX_INPUT_DEPTH} levels`,
        );
      }
      containers.push(child);
      parents.push(i);
      keys.push(String(key));
      depths.push(depths[i]! + 1);
    }
  };
  for (let i = 0; i < containers.length; i++) {
    const container = containers[i]!;
    if (Array.isArray(container)) {
      for (let j = 0; j < container.length; j++) visit(i, container[j], j);
      continue;
    }
    // Parsed JSON and query strings have no inherited enumerable keys; for…in allocates nothing.
    for (const key in container) {
      if (key.includes('\u0000')) {
        const at = pathOf(i, key).replaceAll('\u0000', '\\u0000');
        throw invalid(at, 'names a field with the NUL character (U+0000)');
      }
      visit(i, (container as Record<string, unknown>)[key], key);
    }
  }
}

/** Every route's params, query and body pass checkInput before schema validation and the handler. */
export function registerInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (req: FastifyRequest) => {
    checkInput(req.params, 'params');
    checkInput(req.query, 'query');
    checkInput(req.body, 'body');
  });
}

/** A schema error's field path: the instance path plus a missing or unknown property's name. */
const errorField = (v: NonNullable<FastifyError['validation']>[number]): string => {
  const params = v.params as Record<string, unknown>;
  const leaf =
    (params.missingProperty as string | undefined) ?? (params.additionalProperty as string | undefined) ?? '';
  return [v.instancePath.replace(/^\//, '').replaceAll('/', '.'), leaf].filter(Boolean).join('.');
};

/**
 * The error to report. One schema stops at its first error, but a union (anyOf) lists one per branch:
 * the deepest names the field the sender meant (a follow-the-sun region with no members is
 * `pattern.shifts.1.members`, not the weekly branch's `pattern.zone`); on a tie the first wins.
 */
function reportedError(err: FastifyError) {
  const errors = (err.validation ?? []).filter((v) => v.keyword !== 'anyOf');
  const depth = (v: (typeof errors)[number]) => errorField(v).split('.').length;
  return errors.reduce<(typeof errors)[number] | undefined>(
    (best, v) => (best && depth(best) >= depth(v) ? best : v),
    undefined,
  );
}

function validationField(err: FastifyError): string {
  const v = reportedError(err);
  if (!v) return err.validationContext ?? 'body';
  return errorField(v) || (err.validationContext ?? 'body');
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof AppError) {
      const retryMs = err.details.retryAfterMs;
      if (typeof retryMs === 'number') reply.header('retry-after', String(Math.ceil(retryMs / 1000)));
      return reply.status(err.status).send(err.toBody());
    }
    if (err.validation) {
      const field = validationField(err);
      const v = reportedError(err);
      const params = (v?.params ?? {}) as Record<string, unknown>;
      const why = params.additionalProperty
        ? 'is not a known field'
        : params.missingProperty
          ? 'is required'
          : v?.message;
      return reply.status(400).send({ error: 'VALIDATION_FAILED', message: `${field}: ${why}`, field });
    }
    if (err.statusCode === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send({ error: 'PAYLOAD_TOO_LARGE', message: err.message });
    }
    if (err.statusCode === 429) {
      return reply.status(429).send({ error: 'RATE_LIMITED', message: err.message });
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send({
        error: err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST',
        message: err.message,
      });
    }
    req.log.error({ err }, 'unhandled error');
    return reply
      .status(500)
      .send({ error: 'INTERNAL', message: 'internal error; see the server log for the request id' });
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .status(404)
      .send({ error: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` }),
  );
}
