/**
 * The inbound side of a webhook: find the installation, open its sealed secret (503 when this
 * server's key cannot), read a form body's fields (multipart or urlencoded; raw bytes kept), let the
 * plugin verify the raw bytes and fields (401),
 * parse and check the body (400), then store the delivery and enqueue its processing in one
 * transaction before acknowledging (202). A second copy of the same delivery id is acknowledged
 * (200) without being processed again. Refused requests are logged too, with why.
 */
import { createHash } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Counter } from 'prom-client';
import { Value } from 'typebox/value';
import { parseFormBody } from '../../protocol/plugin/form-body.ts';
import { type InboundRequest, PayloadError, type WebhookHandler } from '../../protocol/plugin.ts';
import type { Db } from '../infra/database.ts';
import { AppError } from '../infra/errors.ts';
import { type Answer, GroupCommit, rejectAll, submit, upTo } from '../infra/group-commit.ts';
import { checkInput } from '../infra/http.ts';
import type { InstallationRow } from '../infra/schema.ts';
import { type SecretBox, SecretUnreadableError } from '../infra/secret-box.ts';
import { verifyContext } from './context.ts';
import { orderedId } from './ordered-id.ts';
import type { InstallationDirectory } from './processor.ts';
import type { PluginQueue } from './queue.ts';
import type { LoadedPlugin, PluginRegistry } from './registry.ts';
import * as repo from './repo.ts';

/** Headers that carry credentials: never stored in the delivery log. */
const CREDENTIAL_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-gitlab-token',
  'x-api-key',
  'x-auth-token',
]);

export function defaultParse(req: InboundRequest): unknown {
  const text = Buffer.from(req.rawBody).toString('utf8');
  if (text.trim() === '') throw new PayloadError('the body is empty; expected JSON', 'body');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new PayloadError(`the body is not valid JSON: ${(err as Error).message}`, 'body');
  }
}

export function storableHeaders(headers: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined && !CREDENTIAL_HEADERS.has(k)) out[k] = v;
  }
  return out;
}

/** Deliveries per transaction at most. */
const MAX_DELIVERIES = 500;

type NewDeliveryRow = repo.NewDelivery & { delivery_key: string };
type Stored = { id: string; inserted: boolean };

/** One delivery: the installation's delivery id, or the body's hash when the tool sends none. */
const deliveryKeyOf = (r: { installation_id: string; delivery_key: string | null }) =>
  `${r.installation_id}|${r.delivery_key}`;

/**
 * Stores accepted deliveries durably by group commit (infra/group-commit.ts), one queue for the
 * whole server: the deliveries that arrive while a write is in flight go together in the next
 * transaction (one multi-row insert plus their queue jobs). A request is answered only after its
 * transaction has committed.
 */
export class DeliveryWriter {
  private readonly groups = new GroupCommit<{ row: NewDeliveryRow } & Answer<Stored>>(
    (_key, batch) => this.write(batch),
    upTo(MAX_DELIVERIES),
    rejectAll,
  );

  constructor(
    private readonly db: Db,
    private readonly queue: PluginQueue,
  ) {}

  store(row: NewDeliveryRow): Promise<Stored> {
    return submit(this.groups, 'deliveries', { row });
  }

  private async write(batch: ({ row: NewDeliveryRow } & Answer<Stored>)[]): Promise<void> {
    // One delivery id twice in one batch: the first is the delivery, the rest are its duplicates.
    const firsts = new Map<string, repo.NewDelivery>();
    for (const { row } of batch) if (!firsts.has(deliveryKeyOf(row))) firsts.set(deliveryKeyOf(row), row);
    const unique = [...firsts.values()];
    try {
      const rows = await this.db.transaction().execute(async (trx) => {
        const stored = await repo.storeDeliveries(trx, unique);
        await this.queue.sendDeliveries(
          trx,
          stored
            .filter((r) => r.inserted)
            .map((r) => ({ deliveryId: r.id, installationId: r.installation_id })),
        );
        return new Map(stored.map((r) => [deliveryKeyOf(r), r]));
      });
      const answered = new Set<string>();
      for (const { row, resolve, reject } of batch) {
        const r = rows.get(deliveryKeyOf(row));
        if (!r) {
          reject(new Error('the delivery was not stored'));
          continue;
        }
        resolve({ id: r.id, inserted: r.inserted && !answered.has(deliveryKeyOf(row)) });
        answered.add(deliveryKeyOf(row));
      }
      if ([...rows.values()].some((r) => r.inserted)) this.queue.wake();
    } catch (err) {
      for (const { reject } of batch) reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

export interface ReceiveInput {
  installationId: string;
  webhook?: string;
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  rawBody: Buffer;
}

export interface ReceiveResult {
  status: 200 | 202;
  body: { deliveryId: string; status: 'queued' | 'duplicate' };
}

export interface ReceiverDeps {
  db: Db;
  registry: PluginRegistry;
  directory: InstallationDirectory;
  secrets: SecretBox;
  writer: DeliveryWriter;
  received: Counter;
  log: FastifyBaseLogger;
}

export class WebhookReceiver {
  constructor(private readonly deps: ReceiverDeps) {}

  private async target(installationId: string, webhook: string | undefined) {
    const installation = await this.deps.directory.get(installationId);
    if (!installation) throw new AppError('NOT_FOUND', 'no plugin installation at this URL');
    const plugin = this.deps.registry.get(installation.plugin_id);
    const name = webhook ?? plugin?.webhookNames[0];
    const handler = name ? plugin?.def.webhooks?.[name] : undefined;
    return { installation, plugin, name: name ?? webhook ?? '', handler };
  }

  private async reject(
    installation: InstallationRow,
    webhook: string,
    input: { headers: Record<string, string | undefined>; body: Buffer | null; bodyBytes: number },
    verification: 'passed' | 'failed' | 'not_checked',
    error: AppError,
  ): Promise<never> {
    const pluginId = installation.plugin_id;
    this.deps.received.inc({ plugin: pluginId, result: String(error.status) });
    try {
      await repo.storeDelivery(this.deps.db, {
        installation_id: installation.id,
        webhook,
        delivery_key: null,
        verification,
        status: 'rejected',
        http_status: error.status,
        error: error.message,
        content_type: input.headers['content-type'] ?? null,
        headers: storableHeaders(input.headers),
        body: input.body,
        body_bytes: input.bodyBytes,
      });
    } catch (err) {
      this.deps.log.warn({ err, installation: installation.id }, 'could not log a refused webhook delivery');
    }
    throw error;
  }

  async receive(input: ReceiveInput): Promise<ReceiveResult> {
    const { installation, plugin, name, handler } = await this.target(input.installationId, input.webhook);
    const logged = { headers: input.headers, body: input.rawBody, bodyBytes: input.rawBody.length };
    if (!installation.enabled) {
      return this.reject(
        installation,
        name,
        logged,
        'not_checked',
        new AppError('NOT_FOUND', 'this installation is disabled'),
      );
    }
    if (!plugin) {
      return this.reject(
        installation,
        name,
        logged,
        'not_checked',
        new AppError(
          'PLUGIN_UNAVAILABLE',
          `plugin "${installation.plugin_id}" is not loaded on this server; try again later`,
        ),
      );
    }
    if (!handler) {
      throw new AppError('NOT_FOUND', `plugin "${plugin.def.id}" has no webhook "${name}"`);
    }
    const contentType = input.headers['content-type'] ?? '';
    let form: InboundRequest['form'];
    let unreadableForm: Error | null = null;
    try {
      // Parsed before `verify`: a form-posting tool signs fields (Mailgun: timestamp, token, signature).
      form = await parseFormBody(contentType, input.rawBody);
    } catch (err) {
      // Answered only after `verify`: an unauthenticated sender gets 401, not a hint about the body.
      unreadableForm = err instanceof Error ? err : new Error(String(err));
    }
    const req: InboundRequest = {
      headers: input.headers,
      query: input.query,
      rawBody: input.rawBody,
      contentType,
      ...(form ? { form } : {}),
    };

    const verdict = this.verify(handler, req, installation);
    if (verdict.unreadable) {
      // Not the sender's fault and not a verdict on its signature: the operator has to act, the tool
      // may retry. Loud in the server log; the delivery log tells the board's admins the same.
      this.deps.log.error(
        { installation: installation.id, plugin: plugin.def.id, err: verdict.unreadable },
        'webhook not verified: this server cannot open the installation secret (SECRET_KEY differs?)',
      );
      return this.reject(
        installation,
        name,
        logged,
        'not_checked',
        new AppError(
          'PLUGIN_UNAVAILABLE',
          "this server cannot read the installation's secret: it was sealed under another server key. " +
            'Give this server the same SECRET_KEY (or DATA_DIR/secret.key) as the server that stored it, ' +
            'or rotate the secret',
        ),
      );
    }
    if (verdict.refusal !== null) {
      return this.reject(
        installation,
        name,
        logged,
        'failed',
        new AppError('UNAUTHENTICATED', `webhook verification failed: ${verdict.refusal}`),
      );
    }

    let payload: unknown;
    try {
      if (unreadableForm) throw unreadableForm;
      payload = handler.parse ? handler.parse(req) : defaultParse(req);
      checkInput(payload, 'body'); // NUL or deep nesting: a 500 when stored or processed, so refused here
      if (handler.payloadSchema && !Value.Check(handler.payloadSchema, payload)) {
        const first = [...Value.Errors(handler.payloadSchema, payload)][0];
        const field = first?.instancePath.replace(/^\//, '').replaceAll('/', '.') || 'body';
        throw new PayloadError(`${field}: ${first?.message ?? 'does not match the expected payload'}`, field);
      }
    } catch (err) {
      const field =
        err instanceof PayloadError
          ? (err.field ?? 'body')
          : err instanceof AppError
            ? String(err.details.field ?? 'body')
            : 'body';
      const message = err instanceof Error ? err.message : String(err);
      return this.reject(
        installation,
        name,
        logged,
        'passed',
        new AppError('VALIDATION_FAILED', message, { field }),
      );
    }

    const stored = await this.deps.writer.store({
      id: orderedId(),
      received_at: new Date(),
      installation_id: installation.id,
      webhook: name,
      delivery_key: this.deliveryKey(handler, req, payload),
      verification: 'passed',
      status: 'queued',
      http_status: 202,
      content_type: req.contentType || null,
      headers: storableHeaders(input.headers),
      body: input.rawBody,
      body_bytes: input.rawBody.length,
    });
    this.deps.received.inc({ plugin: plugin.def.id, result: stored.inserted ? '202' : 'duplicate' });
    return stored.inserted
      ? { status: 202, body: { deliveryId: stored.id, status: 'queued' } }
      : { status: 200, body: { deliveryId: stored.id, status: 'duplicate' } };
  }

  /**
   * `refusal` is null when the plugin accepts the request with the current (or, within its grace, the
   * previous) secret. When no readable secret accepts it and one could not be opened, `unreadable`
   * says so: the request may well be signed right, so it is not refused as forged.
   */
  private verify(
    handler: WebhookHandler<unknown>,
    req: InboundRequest,
    installation: InstallationRow,
  ): { refusal: string | null; unreadable: SecretUnreadableError | null } {
    const secrets = [installation.secret];
    if (
      installation.previous_secret &&
      installation.previous_secret_expires_at &&
      installation.previous_secret_expires_at.getTime() > Date.now()
    ) {
      secrets.push(installation.previous_secret);
    }
    let reason = 'refused';
    let unreadable: SecretUnreadableError | null = null;
    for (const stored of secrets) {
      let secret: string;
      try {
        secret = this.deps.secrets.open(stored);
      } catch (err) {
        if (!(err instanceof SecretUnreadableError)) throw err;
        unreadable ??= err;
        continue;
      }
      try {
        const verdict = handler.verify(req, verifyContext(secret, installation.config));
        if (verdict === true) return { refusal: null, unreadable: null };
        if (typeof verdict === 'string' && verdict) reason = verdict;
      } catch (err) {
        reason = `the plugin's verify() threw: ${(err as Error)?.message ?? String(err)}`;
      }
    }
    return { refusal: reason, unreadable };
  }

  private deliveryKey(handler: WebhookHandler<unknown>, req: InboundRequest, payload: unknown): string {
    let key: unknown;
    try {
      key = handler.deliveryId?.(req, payload);
    } catch {
      key = undefined;
    }
    if (typeof key === 'string' && key.length > 0) return key.slice(0, 200);
    return `sha256:${createHash('sha256').update(req.rawBody).digest('hex')}`;
  }

  /** A body over the limit never reaches the plugin; log it so the sender's admin can see why. */
  async recordOversize(
    installationId: string,
    webhook: string | undefined,
    headers: Record<string, string | undefined>,
  ) {
    const installation = await this.deps.directory.get(installationId);
    if (!installation) return;
    const bytes = Number(headers['content-length'] ?? 0) || 0;
    const plugin: LoadedPlugin | undefined = this.deps.registry.get(installation.plugin_id);
    await this.reject(
      installation,
      webhook ?? plugin?.webhookNames[0] ?? '',
      { headers, body: null, bodyBytes: bytes },
      'not_checked',
      new AppError('PAYLOAD_TOO_LARGE', `the body (${bytes} bytes) is over the webhook body limit`),
    ).catch(() => {});
  }
}
