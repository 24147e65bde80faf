/**
 * Configuration: read once from the environment (and an optional .env file), validated, typed.
 * A wrong value stops start-up with a message naming the variable and what it expects.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import { checkPassword } from './domain/password-policy.ts';
import { parseSecretKey } from './infra/secret-box.ts';

const Env = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000, description: 'HTTP port' }),
  HOST: Type.String({ minLength: 1, default: '0.0.0.0', description: 'interface to listen on' }),
  DATABASE_URL: Type.Optional(
    Type.String({
      pattern: '^postgres(ql)?://',
      description: 'a postgres:// URL; unset = embedded PostgreSQL',
    }),
  ),
  DATA_DIR: Type.String({
    minLength: 1,
    default: './data',
    description: 'where the embedded database (and secret.key, without SECRET_KEY) lives',
  }),
  SECRET_KEY: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'the key that seals plugin secrets at rest: 32 bytes as base64 or hex; unset = DATA_DIR/secret.key',
    }),
  ),
  EMBEDDED_PG_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 54329 }),
  DATABASE_POOL_SIZE: Type.Integer({
    // Two are held for LISTEN (board changes, the socket.io adapter); the rest serve requests.
    minimum: 5,
    maximum: 1000,
    default: 20,
    description: 'database connections each instance opens at start and keeps open, 5 to 1000',
  }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info', description: 'one of fatal, error, warn, info, debug, trace, silent' },
  ),
  ADMIN_EMAIL: Type.Optional(
    Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$', description: 'an e-mail address' }),
  ),
  // Checked below by the password policy, so no schema message ever echoes the value.
  ADMIN_PASSWORD: Type.Optional(Type.String({ description: 'a password the policy accepts' })),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 1_048_576, description: 'largest request body' }),
  LOGIN_RATE_LIMIT: Type.Integer({
    minimum: 1,
    default: 10,
    description: 'login attempts per minute per IP and e-mail',
  }),
  SESSION_TTL_HOURS: Type.Integer({ minimum: 1, default: 24 * 14 }),
  MOVES_PER_SECOND_PER_PERSON: Type.Integer({
    minimum: 1,
    maximum: 100_000,
    default: 100, // as sync/move-admission.ts's own default (config.test.ts checks)
    description:
      'card moves per second one person (or API token) may keep up on one board, with twice that at once; more are refused OVERLOADED',
  }),
  COOKIE_SECURE: Type.Boolean({ default: false, description: 'true when served over HTTPS' }),
  REALTIME_CLUSTER: Type.Boolean({
    default: true,
    description: 'share socket.io rooms between server instances through PostgreSQL',
  }),
  PRESENCE_HEARTBEAT_MS: Type.Integer({
    minimum: 50,
    default: 5000,
    description:
      'how often an instance tells the others it is alive; one silent 3x this long loses its presence',
  }),
  JOIN_RATE_PER_SECOND: Type.Integer({
    minimum: 1,
    default: 100,
    description: 'board joins admitted per second per instance; the rest are told when to retry',
  }),
  PLUGIN_DIR: Type.Optional(Type.String({ minLength: 1, description: 'folder of third-party plugins' })),
  PLUGIN_PACKAGES: Type.Optional(
    Type.String({ minLength: 1, description: 'comma-separated npm package names of third-party plugins' }),
  ),
  PLUGIN_TIMEOUT_MS: Type.Integer({
    minimum: 50,
    maximum: 600_000,
    default: 10_000,
    description: 'how long a plugin handler or hook may run before it counts as failed',
  }),
  PLUGIN_RETRY_LIMIT: Type.Integer({
    minimum: 0,
    maximum: 50,
    default: 8,
    description: 'retries of a failed delivery',
  }),
  PLUGIN_RETRY_DELAY_SECONDS: Type.Integer({
    minimum: 1,
    maximum: 86_400,
    default: 10,
    description: 'first retry delay; doubles with each retry',
  }),
  PLUGIN_CONCURRENCY: Type.Integer({
    minimum: 1,
    maximum: 64,
    default: 4,
    description: 'plugin hook jobs run at once per worker (webhook handlers run up to 64 at once)',
  }),
  WEBHOOK_BODY_LIMIT_BYTES: Type.Integer({
    minimum: 1024,
    default: 1_048_576,
    description: 'largest inbound webhook body (413 above it)',
  }),
  WEBHOOK_RATE_LIMIT: Type.Integer({
    minimum: 1,
    default: 600,
    description: 'inbound webhook requests per minute per installation (429 above it)',
  }),
  WEBHOOK_RETENTION_DAYS: Type.Integer({
    minimum: 1,
    default: 30,
    description: 'how long the delivery log keeps deliveries',
  }),
  PUBLIC_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: 'the URL tools reach this server at, for inbound webhook URLs',
    }),
  ),
  NOTIFY_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    maximum: 120_000,
    default: 10_000,
    description: 'how long one outgoing notification may take before it counts as failed (and is retried)',
  }),
  NOTIFY_MAX_ATTEMPTS: Type.Integer({
    minimum: 1,
    maximum: 20,
    default: 6,
    description: 'attempts at one notification delivery in all, the first one included',
  }),
  NOTIFY_RETRY_DELAY_SECONDS: Type.Integer({
    minimum: 1,
    maximum: 3600,
    default: 10,
    description: 'first retry delay of a notification; doubles with each retry (with jitter)',
  }),
  NOTIFY_CONCURRENCY: Type.Integer({
    minimum: 0,
    maximum: 64,
    default: 4,
    description: 'notifications sent at once by this instance; 0: it records and queues them but sends none',
  }),
  NOTIFY_ALLOW_PRIVATE: Type.Boolean({
    default: false,
    description:
      'allow notification targets on private, loopback and link-local addresses (tests, in-house receivers); off guards against request forgery',
  }),
  WEB_DIST: Type.String({ minLength: 1, default: 'dist', description: 'built web app to serve' }),
});
export type Config = Static<typeof Env>;

export class ConfigError extends Error {}

const BOOLEANS = new Set(['COOKIE_SECURE', 'REALTIME_CLUSTER', 'NOTIFY_ALLOW_PRIVATE']);

/** Turn raw strings into the schema's types; unknown variables are ignored. */
function coerce(env: Record<string, string | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(Env.properties)) {
    const raw = env[key];
    if (raw === undefined || raw === '') continue;
    const type = (schema as { type?: string }).type;
    if (BOOLEANS.has(key))
      out[key] = raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw;
    else if (type === 'integer') out[key] = /^-?\d+$/.test(raw) ? Number(raw) : raw;
    else out[key] = raw;
  }
  return out;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const value = Value.Default(Env, coerce(env));
  const errors = [...Value.Errors(Env, value)];
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const name =
        e.instancePath.replace(/^\//, '') ||
        String((e.params as { requiredProperties?: string[] }).requiredProperties ?? '');
      const schema = (Env.properties as Record<string, { description?: string }>)[name];
      return `  ${name}=${JSON.stringify(env[name])}: ${e.message}${schema?.description ? ` (expected ${schema.description})` : ''}`;
    });
    throw new ConfigError(`Invalid configuration:\n${[...new Set(lines)].join('\n')}`);
  }
  if ((value as Config).ADMIN_EMAIL && !(value as Config).ADMIN_PASSWORD) {
    throw new ConfigError('Invalid configuration:\n  ADMIN_PASSWORD: required when ADMIN_EMAIL is set');
  }
  if ((value as Config).ADMIN_PASSWORD !== undefined) {
    const email = (value as Config).ADMIN_EMAIL;
    const verdict = checkPassword((value as Config).ADMIN_PASSWORD as string, {
      email,
      name: email?.split('@')[0],
    });
    if (!verdict.ok) {
      throw new ConfigError(
        `Invalid configuration:\n  ADMIN_PASSWORD: ${verdict.message} (the first administrator's password; ` +
          'once that account exists, ADMIN_EMAIL and ADMIN_PASSWORD can be unset)',
      );
    }
  }
  if ((value as Config).SECRET_KEY) {
    try {
      parseSecretKey((value as Config).SECRET_KEY as string);
    } catch (err) {
      // Never echo the value: it is the key.
      throw new ConfigError(
        `Invalid configuration:\n  SECRET_KEY: ${(err as Error).message} (make one with: openssl rand -base64 32)`,
      );
    }
  }
  return value as Config;
}

/** Load .env from the working directory if present (Node's own parser; real env wins). */
export function loadDotEnv(file = path.resolve('.env')): void {
  if (existsSync(file)) process.loadEnvFile(file);
}
