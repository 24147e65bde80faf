/**
 * Runs plugin code from the queue: a stored delivery through its webhook handler, or a committed
 * board event through a plugin's hook. Plugin code gets a recording context and a time limit; its
 * actions are applied in one transaction (with the delivery marked processed in the same one, so a
 * delivery takes effect exactly once), and the resulting board events are published after commit.
 * A throw, a timeout or an invalid result marks the delivery failed and rethrows, so the queue
 * retries it with backoff; nothing is lost and a replay runs it again.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Counter } from 'prom-client';
import { parseFormBody } from '../../protocol/plugin/form-body.ts';
import type {
  HookContext,
  InboundRequest,
  ReleaseReport,
  TicketAction,
  WebhookContext,
} from '../../protocol/plugin.ts';
import { recordActions } from '../../protocol/plugin.ts';
import * as cardRepo from '../cards/repo.ts';
import * as columnRepo from '../columns/repo.ts';
import { hookNamesFor } from '../domain/plugin-hooks.ts';
import { deliveryOutcome } from '../domain/ticket-lifecycle.ts';
import type { Db } from '../infra/database.ts';
import type { DeliveryRow, InstallationRow } from '../infra/schema.ts';
import { type BoardEventBus, commitWithEvents, eventsSince } from '../sync/event-log.ts';
import { applyActions, PROBLEM_PLUGIN_ID, problemRuleOf, summaryOf, withTransactionRetry } from './apply.ts';
import { applyRepeats } from './batch.ts';
import {
  cardKeyFinder,
  checkHandlerResult,
  errorMessage,
  pluginLogger,
  runWithTimeout,
  ticketFinder,
} from './context.ts';
import { defaultParse } from './inbound.ts';
import { type HookJob, type JobAttempt, mapLimit, type PluginQueue } from './queue.ts';
import type { PluginRegistry } from './registry.ts';
import { applyReleaseReports, type FeatureCheck, type ReleaseReporter } from './release-reports.ts';
import * as repo from './repo.ts';
import { EventSink } from './ticket-writer.ts';

/**
 * Installations by id and per board, cached briefly: the inbound path and every board event read
 * them. Changes made on this server invalidate at once; other servers see them within `ttlMs`.
 */
export class InstallationDirectory {
  private readonly byId = new Map<string, { row: InstallationRow | null; at: number }>();
  private readonly byBoard = new Map<
    string,
    { installations: InstallationRow[]; doneColumnIds: Set<string>; at: number }
  >();

  constructor(
    private readonly db: Db,
    private readonly ttlMs = 5000,
  ) {}

  async get(id: string): Promise<InstallationRow | null> {
    const hit = this.byId.get(id);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.row;
    const row = (await repo.findInstallation(this.db, id)) ?? null;
    if (this.byId.size > 10_000) this.byId.clear();
    this.byId.set(id, { row, at: Date.now() });
    return row;
  }

  async forBoard(boardId: string) {
    const hit = this.byBoard.get(boardId);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit;
    const [installations, done] = await Promise.all([
      repo.enabledInstallationsOf(this.db, boardId),
      columnRepo.doneColumns(this.db, boardId),
    ]);
    const entry = { installations, doneColumnIds: new Set(done.map((d) => d.id)), at: Date.now() };
    if (this.byBoard.size > 10_000) this.byBoard.clear();
    this.byBoard.set(boardId, entry);
    return entry;
  }

  invalidate(installation: { id: string; board_id: string }): void {
    this.byId.delete(installation.id);
    this.byBoard.delete(installation.board_id);
  }
}

export interface ProcessorDeps {
  db: Db;
  bus: BoardEventBus;
  registry: PluginRegistry;
  directory: InstallationDirectory;
  timeoutMs: number;
  /** plugin handlers run at once per batch group */
  concurrency: number;
  log: FastifyBaseLogger;
  processed: Counter;
  /** applies `ctx.releases.report` (absent: such reports are recorded as not applied) */
  releases?: ReleaseReporter;
  /** feature flags (releases are behind the `releases` flag) */
  flags?: FeatureCheck;
}

export async function storedRequest(d: DeliveryRow): Promise<InboundRequest> {
  const rawBody = d.body ?? Buffer.alloc(0);
  const contentType = d.content_type ?? '';
  const form = await parseFormBody(contentType, rawBody);
  return {
    headers: (d.headers ?? {}) as Record<string, string>,
    query: {},
    rawBody,
    contentType,
    ...(form ? { form } : {}),
  };
}

/** A delivery whose plugin handler has run: the actions to apply. */
export interface PreparedDelivery {
  delivery: DeliveryRow;
  installation: InstallationRow;
  actions: TicketAction[];
  /** runs reported on releases; applied after the ticket actions, in the same transaction */
  releaseReports: ReleaseReport[];
  summary: string | null;
  final: boolean;
}

export interface DeliveryJobInput {
  deliveryId: string;
  final: boolean;
}

export class DeliveryProcessor {
  constructor(private readonly deps: ProcessorDeps) {}

  /**
   * A batch from the queue: handlers run per installation group (a hanging plugin delays only its
   * own group, by at most the timeout); repeats of open tickets are applied in bulk, the rest one
   * delivery per transaction. Returns, per job, null or the error that failed it.
   */
  async processBatch(jobs: readonly DeliveryJobInput[]): Promise<(Error | null)[]> {
    const loaded = await repo.loadDeliveries(
      this.deps.db,
      jobs.map((j) => j.deliveryId),
    );
    const byId = new Map(loaded.map((l) => [l.delivery.id, l]));
    const errors = new Map<string, Error>();
    const groups = new Map<string, { row: repo.DeliveryWithInstallation; final: boolean }[]>();
    const seen = new Set<string>();
    for (const job of jobs) {
      const row = byId.get(job.deliveryId);
      if (!row || row.delivery.status === 'processed' || row.delivery.status === 'rejected') continue;
      // A delivery resumed on start-up can meet its own queue job in one round: run it once.
      if (seen.has(job.deliveryId)) continue;
      seen.add(job.deliveryId);
      const group = groups.get(row.installation.id) ?? [];
      group.push({ row, final: job.final });
      groups.set(row.installation.id, group);
    }
    await Promise.all(
      [...groups.values()].map(async (group) => {
        const prepared: PreparedDelivery[] = [];
        // Handlers are plugin code waiting on little: run them all at once, each with its timeout.
        await mapLimit(group, Math.max(this.deps.concurrency, 64), async ({ row, final }) => {
          try {
            prepared.push(await this.prepare(row, final));
          } catch (err) {
            errors.set(row.delivery.id, await this.failed(row, final, err));
          }
        });
        const order = new Map(group.map((g, i) => [g.row.delivery.id, i]));
        prepared.sort((a, b) => order.get(a.delivery.id)! - order.get(b.delivery.id)!);
        const slow = await applyRepeats(this.deps, prepared);
        // One at a time per installation, in arrival order: a recovery never overtakes its failure.
        for (const p of slow) {
          try {
            await this.apply(p);
          } catch (err) {
            errors.set(p.delivery.id, await this.failed(p, p.final, err));
          }
        }
      }),
    );
    return jobs.map((j) => errors.get(j.deliveryId) ?? null);
  }

  /** Runs the plugin's handler for a stored delivery: parse, handle (timed), check the result. */
  private async prepare(row: repo.DeliveryWithInstallation, final: boolean): Promise<PreparedDelivery> {
    const { delivery, installation } = row;
    const pluginId = installation.plugin_id;
    if (!installation.enabled) {
      return {
        delivery,
        installation,
        actions: [],
        releaseReports: [],
        summary: 'the installation is disabled',
        final,
      };
    }
    const plugin = this.deps.registry.get(pluginId);
    if (!plugin) throw new Error(`plugin "${pluginId}" is not loaded on this server`);
    const handler = plugin.def.webhooks?.[delivery.webhook];
    if (!handler) throw new Error(`plugin "${pluginId}" has no webhook "${delivery.webhook}"`);
    const req = await storedRequest(delivery);
    const recorder = recordActions(
      ticketFinder(this.deps.db, installation.board_id, pluginId),
      cardKeyFinder(this.deps.db, installation.board_id, pluginId),
    );
    const ctx: WebhookContext<Record<string, unknown>> = {
      config: installation.config as Record<string, unknown>,
      installation: { id: installation.id, boardId: installation.board_id },
      delivery: { id: delivery.id, receivedAt: delivery.received_at.toISOString(), headers: req.headers },
      log: pluginLogger(this.deps.log, {
        plugin: pluginId,
        installation: installation.id,
        delivery: delivery.id,
      }),
      tickets: recorder.tickets,
      releases: recorder.releases,
      ignore: recorder.ignore,
    };
    try {
      const result = await runWithTimeout(
        () => handler.handle(handler.parse ? handler.parse(req) : defaultParse(req), ctx),
        this.deps.timeoutMs,
        `plugin "${pluginId}" webhook "${delivery.webhook}"`,
      );
      return {
        delivery,
        installation,
        actions: recorder.actions,
        releaseReports: recorder.releaseReports,
        summary: checkHandlerResult(result),
        final,
      };
    } finally {
      recorder.close();
    }
  }

  /** One delivery in its own transaction, through the full ticket writer and the problem rule. */
  private async apply(p: PreparedDelivery): Promise<void> {
    const { db } = this.deps;
    const { delivery, installation } = p;
    const board = await this.deps.directory.forBoard(installation.board_id);
    const problemRule = problemRuleOf(board.installations.find((i) => i.plugin_id === PROBLEM_PLUGIN_ID));
    const outcome = await withTransactionRetry(() =>
      commitWithEvents(db, this.deps.bus, async (trx, record) => {
        const current = await repo.lockDeliveryStatus(trx, delivery.id);
        if (!current || current.status === 'processed') return null; // another worker got there first
        const sink = new EventSink();
        const { results, cardIds } = await applyActions(
          trx,
          {
            boardId: installation.board_id,
            pluginId: installation.plugin_id,
            installation,
            actions: p.actions,
            deliveryId: delivery.id,
            occurrencePrefix: `delivery:${delivery.id}`,
            receivedAt: delivery.received_at,
            problemRule,
          },
          sink,
        );
        const reported = await applyReleaseReports(
          trx,
          record,
          this.deps.releases,
          {
            boardId: installation.board_id,
            pluginId: installation.plugin_id,
            config: installation.config,
            flags: this.deps.flags,
          },
          p.releaseReports,
        );
        results.push(...reported);
        const outcome = deliveryOutcome(results.map((r) => r.result));
        // What happened to a release is the line the delivery log shows, unless the plugin said more.
        const releaseSummary =
          reported
            .map((r) => r.message)
            .join('; ')
            .slice(0, 500) || null;
        await repo.markProcessed(trx, delivery.id, {
          outcome,
          summary: summaryOf(results, p.summary ?? releaseSummary),
          results,
          cardIds,
        });
        await sink.flush(record);
        return outcome;
      }),
    );
    if (outcome) this.deps.processed.inc({ plugin: installation.plugin_id, outcome });
  }

  private async failed(
    row: { delivery: DeliveryRow; installation: InstallationRow },
    final: boolean,
    err: unknown,
  ) {
    const error = err instanceof Error ? err : new Error(String(err));
    const pluginId = row.installation.plugin_id;
    this.deps.processed.inc({ plugin: pluginId, outcome: 'failed' });
    this.deps.log.warn(
      { err: error, plugin: pluginId, delivery: row.delivery.id, final },
      'plugin delivery failed',
    );
    await repo.markFailed(this.deps.db, row.delivery.id, errorMessage(error), !final).catch(() => {});
    return error;
  }
}

export class HookRunner {
  constructor(
    private readonly deps: ProcessorDeps,
    private readonly queue: PluginQueue,
  ) {}

  /** Bus listener: enqueue one job per installation hook the event triggers. */
  onEvent(event: Parameters<Parameters<BoardEventBus['subscribe']>[0]>[0]): void {
    if (this.deps.registry.withHooks().length === 0) return;
    this.dispatch(event).catch((err) =>
      this.deps.log.warn({ err, seq: event.seq }, 'could not queue plugin hooks'),
    );
  }

  private async dispatch(event: Parameters<HookRunner['onEvent']>[0]): Promise<void> {
    const board = await this.deps.directory.forBoard(event.boardId);
    for (const installation of board.installations) {
      const plugin = this.deps.registry.get(installation.plugin_id);
      const hooks = plugin?.def.hooks;
      if (!plugin || !hooks) continue;
      // A plugin does not hear its own changes: no loops.
      if (event.actor.label === `plugin:${plugin.def.id}`) continue;
      for (const hook of hookNamesFor(event, board.doneColumnIds)) {
        if (hook in hooks) {
          await this.queue.sendHook({
            installationId: installation.id,
            boardId: event.boardId,
            seq: event.seq,
            hook,
          });
        }
      }
    }
  }

  async run(job: HookJob, attempt: JobAttempt): Promise<void> {
    const { db, registry, log } = this.deps;
    const installation = await repo.findInstallation(db, job.installationId);
    if (!installation?.enabled) return;
    const pluginId = installation.plugin_id;
    try {
      const plugin = registry.get(pluginId);
      if (!plugin) throw new Error(`plugin "${pluginId}" is not loaded on this server`);
      const fn = plugin.def.hooks?.[job.hook as keyof NonNullable<typeof plugin.def.hooks>];
      const event = (await eventsSince(db, job.boardId, job.seq - 1, 1))[0];
      if (!fn || !event || event.seq !== job.seq) return;
      const recorder = recordActions(
        ticketFinder(db, installation.board_id, pluginId),
        cardKeyFinder(db, installation.board_id, pluginId),
      );
      const ctx: HookContext<Record<string, unknown>> = {
        config: installation.config as Record<string, unknown>,
        installation: { id: installation.id, boardId: installation.board_id },
        event,
        card: event.cardId ? await cardNow(db, event.boardId, event.cardId) : null,
        log: pluginLogger(log, {
          plugin: pluginId,
          installation: installation.id,
          hook: job.hook,
          seq: job.seq,
        }),
        tickets: recorder.tickets,
        releases: recorder.releases,
        ignore: recorder.ignore,
      };
      try {
        checkHandlerResult(
          await runWithTimeout(
            () => fn.call(plugin.def.hooks, event, ctx),
            this.deps.timeoutMs,
            `plugin "${pluginId}" hook "${job.hook}"`,
          ),
        );
      } finally {
        recorder.close();
      }
      if (recorder.actions.every((a) => a.op === 'ignore') && recorder.releaseReports.length === 0) return;
      const board = await this.deps.directory.forBoard(installation.board_id);
      const problemRule = problemRuleOf(board.installations.find((i) => i.plugin_id === PROBLEM_PLUGIN_ID));
      await withTransactionRetry(() =>
        commitWithEvents(db, this.deps.bus, async (trx, record) => {
          const sink = new EventSink();
          await applyActions(
            trx,
            {
              boardId: installation.board_id,
              pluginId,
              installation,
              actions: recorder.actions,
              deliveryId: null,
              occurrencePrefix: `hook:${job.boardId}:${job.seq}:${job.hook}`,
              receivedAt: new Date(event.at),
              problemRule,
            },
            sink,
          );
          await applyReleaseReports(
            trx,
            record,
            this.deps.releases,
            { boardId: installation.board_id, pluginId, config: installation.config, flags: this.deps.flags },
            recorder.releaseReports,
          );
          await sink.flush(record);
        }),
      );
    } catch (err) {
      log.warn(
        { err, plugin: pluginId, hook: job.hook, seq: job.seq, final: attempt.final },
        'plugin hook failed',
      );
      throw err;
    }
  }
}

async function cardNow(db: Db, boardId: string, cardId: string) {
  const row = await cardRepo.findCard(db, boardId, cardId);
  return row ? cardRepo.toCard(row) : null;
}
