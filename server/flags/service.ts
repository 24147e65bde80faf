/**
 * Feature flags, the use cases: site administrators list flags, set or remove an override (audited,
 * applied on every instance at once) and read the audit log; anyone signed in reads the flags as
 * they apply to them on a board; features ask whether they are on (`requireEnabled`).
 *
 * Evaluation goes through OpenFeature: each app binds its PostgresFlagProvider to a domain of its
 * own, so two apps in one process (the tests) never share flags.
 */
import { randomUUID } from 'node:crypto';
import {
  type Client,
  type ConfigChangeEvent,
  type EventHandler,
  NOOP_PROVIDER,
  OpenFeature,
  ProviderEvents,
} from '@openfeature/server-sdk';
import type pg from 'pg';
import type {
  EvaluatedFlags,
  Flag,
  FlagAuditEntry,
  FlagValue,
  SetFlagOverrideBody,
} from '../../protocol/flags.ts';
import type { Role } from '../../protocol/model.ts';
import { type Actor, roleOnBoard } from '../access/board-access.ts';
import { FLAG_CATALOGUE, valueMismatch } from '../domain/flags.ts';
import type { Db } from '../infra/database.ts';
import { AppError, invalid, notFound } from '../infra/errors.ts';
import { type FlagChangeListener, listenForFlagChanges } from './changes.ts';
import { PostgresFlagProvider } from './provider.ts';
import * as repo from './repo.ts';

export const AUDIT_PAGE = 200;
const FOREIGN_KEY_VIOLATION = '23503';

export interface FlagServiceDeps {
  db: Db;
  pool: pg.Pool;
  /** this server instance's id (the event bus's origin): its own NOTIFYs are not news to it */
  origin: string;
  log?: (err: unknown) => void;
}

export class FlagService {
  readonly #provider: PostgresFlagProvider;
  readonly #client: Client;
  readonly #domain = `blendboard-${randomUUID()}`;
  #listener: FlagChangeListener | null = null;

  private constructor(
    private readonly db: Db,
    private readonly origin: string,
    log: (err: unknown) => void,
  ) {
    this.#provider = new PostgresFlagProvider(db, FLAG_CATALOGUE, log);
    this.#client = OpenFeature.getClient(this.#domain);
  }

  /** Writes the catalogue, loads the flags and starts hearing the other instances' changes. */
  static async start({ db, pool, origin, log = () => {} }: FlagServiceDeps): Promise<FlagService> {
    // Not migrated yet (the server still starts and /readyz says so): the catalogue's defaults apply.
    await repo.writeCatalogue(db, FLAG_CATALOGUE).catch(log);
    const service = new FlagService(db, origin, log);
    await OpenFeature.setProviderAndWait(service.#domain, service.#provider);
    service.#listener = await listenForFlagChanges(
      pool,
      origin,
      (key) => void service.#provider.reload(key ? [key] : []).catch(log),
      log,
    );
    return service;
  }

  /** Called with the changed keys (empty: possibly all) after this instance applied a change. */
  onChange(listener: (keys: string[]) => void): () => void {
    const handler: EventHandler = (details) =>
      listener((details as ConfigChangeEvent | undefined)?.flagsChanged ?? []);
    this.#client.addHandler(ProviderEvents.ConfigurationChanged, handler);
    return () => this.#client.removeHandler(ProviderEvents.ConfigurationChanged, handler);
  }

  async close(): Promise<void> {
    await this.#listener?.close();
    // The SDK keeps domains for the process's life: unbind ours so the provider is let go.
    await OpenFeature.setProviderAndWait(this.#domain, NOOP_PROVIDER);
  }

  list(actor: Actor): Flag[] {
    requireSiteAdmin(actor);
    return this.#provider.flags().map((f) => ({
      key: f.key,
      description: f.description,
      type: f.type,
      defaultValue: f.defaultValue,
      overrides: f.overrides.map((o) => ({ ...o, updatedAt: o.updatedAt.toISOString() })),
    }));
  }

  async setOverride(actor: Actor, key: string, body: SetFlagOverrideBody): Promise<Flag> {
    requireSiteAdmin(actor);
    const flag = this.#provider.flags().find((f) => f.key === key);
    if (!flag) throw notFound(`flag ${key}`);
    if (body.value !== null) {
      const mismatch = valueMismatch(flag.type, body.value);
      if (mismatch) throw invalid('value', mismatch);
    }
    const boardId = body.boardId ?? null;
    if (boardId && !(await repo.boardExists(this.db, boardId))) throw invalid('boardId', 'no such board');
    const changed = await repo
      .changeOverride(this.db, {
        key,
        boardId,
        role: body.role ?? null,
        value: body.value,
        reason: body.reason?.trim() || null,
        actorId: actor.userId,
        actorName: actor.label,
        origin: this.origin,
      })
      .catch((err: unknown) => {
        // The board was deleted between the check above and the write.
        if ((err as { code?: string }).code === FOREIGN_KEY_VIOLATION)
          throw invalid('boardId', 'no such board');
        throw err;
      });
    if (!changed) throw notFound(`flag ${key}`);
    await this.#provider.reload([key]);
    return this.list(actor).find((f) => f.key === key)!;
  }

  async audit(actor: Actor, opts: { flagKey?: string; limit?: number }): Promise<FlagAuditEntry[]> {
    requireSiteAdmin(actor);
    const rows = await repo.auditLog(this.db, { key: opts.flagKey, limit: opts.limit ?? AUDIT_PAGE });
    return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
  }

  /** Every flag's value for the actor, on the board when one is named (404 when it cannot see it). */
  async evaluated(actor: Actor, boardId: string | null): Promise<EvaluatedFlags> {
    const role = await this.#roleFor(actor, boardId);
    const context = this.#context(actor, boardId, role);
    const flags: Record<string, FlagValue> = {};
    for (const f of this.#provider.flags()) {
      if (f.type === 'boolean')
        flags[f.key] = await this.#client.getBooleanValue(f.key, f.defaultValue as boolean, context);
      else if (f.type === 'number')
        flags[f.key] = await this.#client.getNumberValue(f.key, f.defaultValue as number, context);
      else flags[f.key] = await this.#client.getStringValue(f.key, f.defaultValue as string, context);
    }
    return { boardId, role, flags };
  }

  /** Whether a boolean flag (default on) is on for the actor on a board. */
  async enabled(actor: Actor, boardId: string, key: string): Promise<boolean> {
    const role = await roleOnBoard(this.db, actor, boardId);
    return this.#client.getBooleanValue(key, true, this.#context(actor, boardId, role));
  }

  /**
   * Refuses (404, naming the flag) when a boolean flag is off for the actor on the board. A feature
   * that is off answers as if it were not there. A board the actor cannot see is left to the
   * feature's own access check.
   */
  async requireEnabled(actor: Actor, boardId: string, key: string, feature: string): Promise<void> {
    if (!(await this.enabled(actor, boardId, key))) {
      throw new AppError('NOT_FOUND', `${feature} are turned off on this board (feature flag "${key}")`, {
        flag: key,
      });
    }
  }

  async #roleFor(actor: Actor, boardId: string | null): Promise<Role | null> {
    if (boardId === null) return actor.isAdmin ? 'admin' : null;
    const role = await roleOnBoard(this.db, actor, boardId);
    if (!role) throw notFound('board');
    return role;
  }

  #context(actor: Actor, boardId: string | null, role: Role | null) {
    return {
      instanceId: this.origin,
      ...(actor.userId ? { targetingKey: actor.userId } : {}),
      ...(boardId ? { boardId } : {}),
      ...(role ? { role } : {}),
    };
  }
}

function requireSiteAdmin(actor: Actor): void {
  if (!actor.isAdmin) throw new AppError('FORBIDDEN', 'only a site administrator manages feature flags');
}
