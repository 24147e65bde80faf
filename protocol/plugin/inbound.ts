/**
 * A webhook request as a plugin sees it, and the pure helpers `verify`, `parse` and `handle` use to
 * authenticate it and read it: bearer and basic credentials, the generic HMAC signature, branch
 * patterns, commit titles. `PayloadError` is how a plugin refuses a body (400 naming the field).
 */

/** An inbound HTTP request as the plugin sees it: raw bytes, lower-case header names, query string. */
export interface InboundRequest {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly rawBody: Uint8Array;
  readonly contentType: string;
  /**
   * The fields of a `multipart/form-data` or `application/x-www-form-urlencoded` body, parsed by the
   * host (absent for other content types). `rawBody` is still the exact bytes sent.
   */
  readonly form?: InboundForm;
}

/** A form body as the host parsed it: text fields by name (the last of a repeated name wins) and the
 * file parts' names only (their bytes are never handed to a plugin). */
export interface InboundForm {
  readonly fields: Readonly<Record<string, string>>;
  readonly files: readonly { field: string; filename: string; contentType: string; bytes: number }[];
}

/** What `verify` may use: the installation's secret and config, and constant-time helpers. */
export interface VerifyContext<Config> {
  readonly secret: string;
  readonly config: Config;
  /** HMAC-SHA256 of `data` keyed with the secret */
  hmacSha256(data: Uint8Array | string, encoding?: 'hex' | 'base64'): string;
  /** constant-time comparison (crypto.timingSafeEqual); false when the lengths differ */
  safeEqual(a: string, b: string): boolean;
}

/** Thrown by `parse` (or raised for an invalid ticket action): a 400 naming `field`. */
export class PayloadError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** The credentials of `Authorization: Bearer <token>`, or null. */
export function bearerToken(req: InboundRequest): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1] ?? null;
}

/** The password of `Authorization: Basic <base64 user:password>`, or null. */
export function basicAuthPassword(req: InboundRequest): string | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!m) return null;
  const decoded = globalThis.atob(m[1]!);
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : null;
}

/** GitHub's webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`. */
export function verifyGitHubSignature(req: InboundRequest, ctx: VerifyContext<unknown>): true | string {
  const signature = req.headers['x-hub-signature-256'];
  if (!signature) return 'missing X-Hub-Signature-256 header (set the webhook secret in GitHub)';
  return (
    ctx.safeEqual(signature, `sha256=${ctx.hmacSha256(req.rawBody)}`) || 'X-Hub-Signature-256 does not match'
  );
}

/**
 * `Authorization: Bearer <secret>`, or `X-Blendboard-Signature: sha256=<hex HMAC-SHA256 of the raw body>`:
 * how the generic JSON formats (and simple third-party plugins) authenticate.
 */
export function verifyBearerOrSignature(req: InboundRequest, ctx: VerifyContext<unknown>): true | string {
  const signature = req.headers['x-blendboard-signature'];
  if (signature) {
    return (
      ctx.safeEqual(signature, `sha256=${ctx.hmacSha256(req.rawBody)}`) ||
      'X-Blendboard-Signature does not match'
    );
  }
  const token = bearerToken(req);
  if (!token) return 'send Authorization: Bearer <secret> or X-Blendboard-Signature: sha256=<hmac>';
  return ctx.safeEqual(token, ctx.secret) || 'the bearer token does not match';
}

/** `*` matches any run of characters, everything else literally (branch and service patterns). */
export function matchesPattern(pattern: string, value: string): boolean {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*');
  return new RegExp(`^${escaped}$`).test(value);
}

/** The first line of a commit message or text, trimmed to `max` characters. */
export function firstLine(text: string | null | undefined, max = 120): string {
  const line = (text ?? '').split('\n')[0]!.trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
