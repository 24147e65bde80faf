/**
 * Plugin use cases behind /api: which plugins are loaded; installing one on a board (config checked
 * against the plugin's schema, a generated secret, the inbound URL), changing, disabling, rotating
 * the secret, uninstalling; the delivery log with payloads and replay; a plugin ticket's occurrences,
 * links and known-error record. Each starts with the board access check.
 */
import { randomBytes } from 'node:crypto';
import { Value } from 'typebox/value';
import type {
  CreateInstallationInput,
  DeliveryDetail,
  DeliveryListInput,
  DeliveryPage,
  DeliverySummary,
  Installation,
  InstallationWithSecret,
  KnownError,
  PluginInfo,
  PluginTicket,
  RotateSecretInput,
  UpdateInstallationInput,
} from '../../protocol/plugin.ts';
import { type Actor, requireBoardPermission } from '../access/board-access.ts';
import type { Db } from '../infra/database.ts';
import { AppError, invalid, notFound } from '../infra/errors.ts';
import type { DeliveryRow, InstallationRow } from '../infra/schema.ts';
import type { SecretBox } from '../infra/secret-box.ts';
import { type BoardEventBus, commitWithEvents } from '../sync/event-log.ts';
import { ticketConfigOf } from './apply.ts';
import type { InstallationDirectory } from './processor.ts';
import type { PluginQueue } from './queue.ts';
import { type LoadedPlugin, type PluginLoadError, type PluginRegistry, pluginInfo } from './registry.ts';
import * as repo from './repo.ts';
import { EventSink, TicketWriter } from './ticket-writer.ts';

const newSecret = () => randomBytes(32).toString('base64url');
const iso = (d: Date) => d.toISOString();

/** Plugin config checked against its schema with defaults filled in; a clear 400 naming the field otherwise. */
export function validateConfig(plugin: LoadedPlugin, input: unknown): Record<string, unknown> {
  const schema = plugin.def.configSchema;
  const value = Value.Default(schema, structuredClone(input ?? {}));
  const errors = [...Value.Errors(schema, value)];
  if (errors.length === 0) return value as Record<string, unknown>;
  const byField = new Map<string, string>();
  for (const e of errors) {
    const params = (e.params ?? {}) as {
      requiredProperties?: string[];
      additionalProperties?: string[];
      allowedValues?: unknown[];
    };
    const path = e.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const leaf = params.requiredProperties?.[0] ?? params.additionalProperties?.[0];
    const field = ['config', path, leaf].filter(Boolean).join('.');
    // An unknown field is reported twice (as a false schema and as an extra property): keep one.
    const why =
      params.additionalProperties ||
      (e.keyword === 'boolean' && e.schemaPath.endsWith('additionalProperties'))
        ? 'is not a known field'
        : params.requiredProperties
          ? 'is required'
          : params.allowedValues
            ? `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`
            : e.message;
    if (!byField.has(field)) byField.set(field, `${field}: ${why}`);
  }
  const described = [...byField].slice(0, 10).map(([field, message]) => ({ field, message }));
  const first = described[0]!;
  throw new AppError('VALIDATION_FAILED', first.message, { field: first.field, errors: described });
}

export class PluginService {
  constructor(
    private readonly db: Db,
    private readonly bus: BoardEventBus,
    private readonly registry: PluginRegistry,
    private readonly directory: InstallationDirectory,
    private readonly queue: PluginQueue,
    /** seals the secret before it is stored; the plain one is only in the reply */
    private readonly secrets: SecretBox,
  ) {}

  available(actor: Actor): { plugins: PluginInfo[]; loadErrors: PluginLoadError[] } {
    return {
      plugins: this.registry.list().map(pluginInfo),
      // Paths and stack-ish messages are for administrators only.
      loadErrors: actor.isAdmin ? this.registry.errors : [],
    };
  }

  private toInstallation(row: InstallationRow, baseUrl: string): Installation {
    const plugin = this.registry.get(row.plugin_id);
    const names = plugin?.webhookNames ?? [];
    const root = `${baseUrl.replace(/\/$/, '')}/hooks/${row.id}`;
    return {
      id: row.id,
      boardId: row.board_id,
      pluginId: row.plugin_id,
      pluginName: plugin?.def.name ?? row.plugin_id,
      available: plugin !== undefined,
      name: row.name,
      config: row.config as Record<string, unknown>,
      enabled: row.enabled,
      inboundUrl: root,
      inboundUrls: Object.fromEntries(names.map((n) => [n, `${root}/${n}`])),
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
      secretRotatedAt: iso(row.secret_rotated_at),
      previousSecretValidUntil:
        row.previous_secret_expires_at && row.previous_secret_expires_at.getTime() > Date.now()
          ? iso(row.previous_secret_expires_at)
          : null,
    };
  }

  private async installation(
    actor: Actor,
    boardId: string,
    installationId: string,
  ): Promise<InstallationRow> {
    await requireBoardPermission(this.db, actor, boardId, 'plugin:manage');
    const row = await repo.findInstallation(this.db, installationId);
    if (!row || row.board_id !== boardId) throw notFound('plugin installation');
    return row;
  }

  async list(actor: Actor, boardId: string, baseUrl: string): Promise<Installation[]> {
    await requireBoardPermission(this.db, actor, boardId, 'plugin:manage');
    return (await repo.listInstallations(this.db, boardId)).map((r) => this.toInstallation(r, baseUrl));
  }

  async get(actor: Actor, boardId: string, installationId: string, baseUrl: string): Promise<Installation> {
    return this.toInstallation(await this.installation(actor, boardId, installationId), baseUrl);
  }

  async install(
    actor: Actor,
    boardId: string,
    input: CreateInstallationInput,
    baseUrl: string,
  ): Promise<InstallationWithSecret> {
    await requireBoardPermission(this.db, actor, boardId, 'plugin:manage');
    const plugin = this.registry.get(input.pluginId);
    if (!plugin) {
      const known = this.registry.list().map((p) => p.def.id);
      throw invalid('pluginId', `no plugin "${input.pluginId}" is loaded (available: ${known.join(', ')})`);
    }
    const config = validateConfig(plugin, input.config);
    const secret = newSecret();
    const row = await repo.insertInstallation(this.db, {
      board_id: boardId,
      plugin_id: plugin.def.id,
      name: input.name?.trim() || plugin.def.name,
      config,
      secret: this.secrets.seal(secret),
      enabled: input.enabled ?? true,
      created_by: actor.userId,
    });
    this.directory.invalidate(row);
    return { ...this.toInstallation(row, baseUrl), secret };
  }

  async update(
    actor: Actor,
    boardId: string,
    installationId: string,
    input: UpdateInstallationInput,
    baseUrl: string,
  ): Promise<Installation> {
    const current = await this.installation(actor, boardId, installationId);
    let config: Record<string, unknown> | undefined;
    if (input.config !== undefined) {
      const plugin = this.registry.get(current.plugin_id);
      if (!plugin)
        throw new AppError(
          'PLUGIN_UNAVAILABLE',
          `plugin "${current.plugin_id}" is not loaded; its config cannot be checked`,
        );
      config = validateConfig(plugin, input.config);
    }
    const row = await repo.updateInstallation(this.db, installationId, {
      name: input.name?.trim() || undefined,
      enabled: input.enabled,
      config,
    });
    if (!row) throw notFound('plugin installation');
    this.directory.invalidate(row);
    return this.toInstallation(row, baseUrl);
  }

  async rotateSecret(
    actor: Actor,
    boardId: string,
    installationId: string,
    input: RotateSecretInput,
    baseUrl: string,
  ): Promise<InstallationWithSecret> {
    await this.installation(actor, boardId, installationId);
    const secret = input.secret ?? newSecret();
    const grace = input.graceMinutes ?? 0;
    const row = await repo.rotateSecret(
      this.db,
      installationId,
      this.secrets.seal(secret),
      // The previous secret is copied in SQL as stored: still sealed.
      grace > 0 ? new Date(Date.now() + grace * 60_000) : null,
    );
    if (!row) throw notFound('plugin installation');
    this.directory.invalidate(row);
    return { ...this.toInstallation(row, baseUrl), secret };
  }

  async uninstall(actor: Actor, boardId: string, installationId: string): Promise<void> {
    const row = await this.installation(actor, boardId, installationId);
    await repo.deleteInstallation(this.db, installationId);
    this.directory.invalidate(row);
  }

  // ---- Deliveries --------------------------------------------------------------------------

  private summary(r: repo.DeliverySummaryRow): DeliverySummary {
    return {
      id: r.id,
      installationId: r.installation_id,
      webhook: r.webhook,
      deliveryKey: r.delivery_key,
      receivedAt: iso(r.received_at),
      verification: r.verification as DeliverySummary['verification'],
      status: r.status as DeliverySummary['status'],
      outcome: r.outcome as DeliverySummary['outcome'],
      httpStatus: r.http_status,
      error: r.error,
      summary: r.summary,
      attempts: r.attempts,
      retrying: r.retrying,
      duplicates: r.duplicates,
      bodyBytes: r.body_bytes,
      cardIds: r.card_ids,
      processedAt: r.processed_at ? iso(r.processed_at) : null,
      replayable: r.verification === 'passed' && r.status !== 'rejected',
    };
  }

  async deliveries(
    actor: Actor,
    boardId: string,
    installationId: string,
    q: DeliveryListInput,
  ): Promise<DeliveryPage> {
    await this.installation(actor, boardId, installationId);
    const limit = Math.min(200, Math.max(1, Number(q.limit ?? 50)));
    if (q.before !== undefined && !/^[0-9a-f-]{36}$/.test(q.before)) {
      throw invalid('before', 'not a cursor from a previous page');
    }
    const rows = await repo.listDeliveries(this.db, installationId, {
      status: q.status,
      outcome: q.outcome,
      beforeId: q.before,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => this.summary(r)),
      nextBefore: rows.length > limit && last ? last.id : null,
    };
  }

  async delivery(
    actor: Actor,
    boardId: string,
    installationId: string,
    deliveryId: string,
  ): Promise<DeliveryDetail> {
    await this.installation(actor, boardId, installationId);
    const row = await repo.findDelivery(this.db, installationId, deliveryId);
    if (!row) throw notFound('delivery');
    return this.detail(row);
  }

  private detail(row: DeliveryRow): DeliveryDetail {
    const text = row.body ? row.body.toString('utf8') : null;
    let payload: unknown = null;
    let bodyText: string | null = null;
    if (text !== null) {
      try {
        payload = JSON.parse(text);
      } catch {
        bodyText = text;
      }
    }
    return {
      ...this.summary(row),
      contentType: row.content_type,
      headers: row.headers as Record<string, string>,
      payload,
      bodyText,
      results: (row.results as DeliveryDetail['results'] | null) ?? [],
    };
  }

  /** Run a verified delivery again (with the installation's current config); refused ones cannot be. */
  async replay(
    actor: Actor,
    boardId: string,
    installationId: string,
    deliveryId: string,
  ): Promise<DeliverySummary> {
    await this.installation(actor, boardId, installationId);
    const row = await repo.findDelivery(this.db, installationId, deliveryId);
    if (!row) throw notFound('delivery');
    if (row.status === 'rejected' || row.verification !== 'passed') {
      throw new AppError('CONFLICT', 'only deliveries that passed verification can be replayed');
    }
    const queued = await repo.markQueued(this.db, deliveryId);
    await this.queue.replayDelivery({ deliveryId, installationId });
    return this.summary(queued);
  }

  // ---- Plugin tickets ----------------------------------------------------------------------

  async ticket(actor: Actor, boardId: string, cardId: string): Promise<PluginTicket> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const t = await repo.findTicketByCard(this.db, cardId);
    if (!t || t.board_id !== boardId) throw notFound('plugin ticket');
    const [occurrences, links] = await Promise.all([
      repo.recentOccurrences(this.db, t.id, cardId),
      repo.linksOf(this.db, cardId),
    ]);
    return {
      cardId,
      pluginId: t.plugin_id,
      installationId: t.installation_id,
      dedupKey: t.dedup_key,
      kind: t.kind,
      status: t.status as PluginTicket['status'],
      occurrences: t.occurrences,
      firstSeenAt: iso(t.first_seen_at),
      lastSeenAt: iso(t.last_seen_at),
      lastUrl: t.last_url,
      knownError: (t.known_error as KnownError | null) ?? null,
      recentOccurrences: occurrences.map((o) => ({
        occurredAt: iso(o.occurred_at),
        url: o.url,
        deliveryId: o.delivery_id,
      })),
      links,
    };
  }

  /** Fill in a problem's known-error record: root cause and workaround. */
  async setKnownError(
    actor: Actor,
    boardId: string,
    cardId: string,
    input: KnownError,
  ): Promise<PluginTicket> {
    await requireBoardPermission(this.db, actor, boardId, 'card:edit');
    const t = await repo.findTicketByCard(this.db, cardId);
    if (!t || t.board_id !== boardId) throw notFound('plugin ticket');
    const installation = t.installation_id
      ? await repo.findInstallation(this.db, t.installation_id)
      : undefined;
    await commitWithEvents(this.db, this.bus, async (trx, record) => {
      const sink = new EventSink();
      const writer = new TicketWriter(
        trx,
        {
          boardId,
          pluginId: t.plugin_id,
          installationId: t.installation_id,
          ...ticketConfigOf(installation?.config),
          actor,
          deliveryId: null,
          occurrencePrefix: 'manual',
          receivedAt: new Date(),
        },
        sink,
      );
      await writer.update({ cardId }, { knownError: input });
      await sink.flush(record);
    });
    return this.ticket(actor, boardId, cardId);
  }
}
