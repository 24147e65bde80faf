/**
 * One transaction's worth of plugin work: lock the dedup keys involved (always in the same order, so
 * two deliveries never deadlock each other), apply the plugin's actions, then run the
 * recurring-incident rule for the incidents this transaction counted, as the board's problem plugin.
 */
import type { Transaction } from 'kysely';
import type { Priority } from '../../protocol/model.ts';
import {
  configWithDefaults,
  type Lifecycle,
  LifecycleSchema,
  routingSchema,
  type TicketAction,
  type TicketRouting,
} from '../../protocol/plugin.ts';
import type { Actor } from '../access/board-access.ts';
import * as cardRepo from '../cards/repo.ts';
import {
  decideRecurringProblem,
  problemKey,
  problemPriority,
  type RecurrenceConfig,
  type RecurrenceMatch,
  windowStart,
} from '../domain/recurring-incidents.ts';
import type { Database, InstallationRow } from '../infra/schema.ts';
import * as repo from './repo.ts';
import { type EventSink, ownKeysOf, TicketWriter, type WriterScope } from './ticket-writer.ts';

/** The built-in plugin whose installation carries the recurring-incident rule for its board. */
export const PROBLEM_PLUGIN_ID = 'generic-problem';

export const pluginActor = (pluginId: string): Actor => ({
  userId: null,
  label: `plugin:${pluginId}`,
  isAdmin: true,
});

const DEFAULT_ROUTING = configWithDefaults(
  routingSchema({ fallback: { stream: 'development', lane: 'standard', position: 'bottom' } }),
);
const DEFAULT_LIFECYCLE = configWithDefaults(LifecycleSchema);

/** The routing and lifecycle an installation's config declares, or the defaults. */
export function ticketConfigOf(config: unknown): { routing: TicketRouting; lifecycle: Lifecycle } {
  const c = (config ?? {}) as { routing?: TicketRouting; lifecycle?: Lifecycle };
  return {
    routing: c.routing && Array.isArray(c.routing.rules) ? c.routing : DEFAULT_ROUTING,
    lifecycle: c.lifecycle?.onRecovery ? c.lifecycle : DEFAULT_LIFECYCLE,
  };
}

export interface ProblemRule {
  installation: InstallationRow;
  config: RecurrenceConfig;
}

/** The rule config from a problem-plugin installation, if it has the rule switched on. */
export function problemRuleOf(installation: InstallationRow | undefined): ProblemRule | null {
  const r = (installation?.config as { recurrence?: RecurrenceConfig } | undefined)?.recurrence;
  if (!installation || !r?.enabled) return null;
  return { installation, config: r };
}

export interface ApplyInput {
  boardId: string;
  pluginId: string;
  installation: InstallationRow | null;
  actions: readonly TicketAction[];
  deliveryId: string | null;
  occurrencePrefix: string;
  receivedAt: Date;
  problemRule: ProblemRule | null;
}

export async function applyActions(trx: Transaction<Database>, input: ApplyInput, sink: EventSink) {
  const { boardId, pluginId } = input;
  const rule = input.problemRule;

  const locks = ownKeysOf(input.actions).map((k) => [pluginId, k] as const);
  if (rule) {
    for (const a of input.actions) {
      if (a.op !== 'raise' || a.ticket.kind !== 'incident') continue;
      for (const m of rule.config.matchBy) {
        const v = a.ticket[m];
        if (v) locks.push([PROBLEM_PLUGIN_ID, problemKey(m, v)]);
      }
    }
  }
  const ordered = [...new Map(locks.map(([p, k]) => [`${p}|${k}`, [p, k] as const])).entries()].sort(
    ([a], [b]) => (a < b ? -1 : a > b ? 1 : 0),
  );
  for (const [, [p, k]] of ordered) await repo.lockTicketKey(trx, boardId, p, k);

  const scope: WriterScope = {
    boardId,
    pluginId,
    installationId: input.installation?.id ?? null,
    ...ticketConfigOf(input.installation?.config),
    actor: pluginActor(pluginId),
    deliveryId: input.deliveryId,
    occurrencePrefix: input.occurrencePrefix,
    receivedAt: input.receivedAt,
  };
  const writer = new TicketWriter(trx, scope, sink);
  await writer.apply(input.actions);
  const results = [...writer.results];
  const cardIds = new Set(writer.cardIds);
  const refusals = [...writer.refusals];

  if (rule && writer.newIncidents.length > 0) {
    const problems = new TicketWriter(
      trx,
      {
        ...scope,
        pluginId: PROBLEM_PLUGIN_ID,
        installationId: rule.installation.id,
        ...ticketConfigOf(rule.installation.config),
        actor: pluginActor(PROBLEM_PLUGIN_ID),
      },
      sink,
    );
    const since = windowStart(new Date(), rule.config);
    for (const incident of writer.newIncidents) {
      const counts: Partial<Record<RecurrenceMatch, number>> = {};
      const openProblem: Partial<Record<RecurrenceMatch, boolean>> = {};
      for (const m of rule.config.matchBy) {
        const value = incident[m];
        if (!value) continue;
        counts[m] = await repo.countIncidents(trx, boardId, m, value, since);
        const existing = await repo.findTicket(trx, boardId, PROBLEM_PLUGIN_ID, problemKey(m, value));
        const card = existing ? await cardRepo.findCard(trx, boardId, existing.card_id) : undefined;
        openProblem[m] = card !== undefined && card.done_at === null;
      }
      const decision = decideRecurringProblem(rule.config, { incident, counts, openProblem });
      if (!decision) continue;
      const { card: raised, decision: raise } = await problems.raise(
        {
          dedupKey: decision.dedupKey,
          kind: 'problem',
          title: decision.title,
          description: decision.description,
          occurrenceId: incident.occurrenceKey,
          ...(decision.matchBy === 'fingerprint'
            ? { fingerprint: decision.value }
            : { service: decision.value }),
          ...(incident.service ? { service: incident.service } : {}),
        },
        0,
      );
      const incidentCards =
        decision.reason === 'threshold'
          ? await repo.incidentCardsSince(trx, boardId, decision.matchBy, decision.value, since)
          : [incident.cardId];
      const priorities: Priority[] = [];
      for (const id of incidentCards) {
        const card = await cardRepo.findCard(trx, boardId, id);
        if (!card) continue;
        await problems.insertLink(raised, card, 'problem_for');
        priorities.push(card.priority as Priority);
      }
      // A new problem takes the highest priority of its incidents; an open one rises to a more urgent one.
      const fresh = raise === 'create' || raise === 'raise_new';
      const priority = problemPriority(fresh ? null : (raised.priority as Priority), priorities);
      if (priority && priority !== raised.priority)
        await problems.updateCard(raised, { priority }, [
          { field: 'priority', from: raised.priority, to: priority },
        ]);
    }
    for (const r of problems.results) results.push({ ...r, message: r.message ?? 'recurring-incident rule' });
    for (const id of problems.cardIds) cardIds.add(id);
    refusals.push(...problems.refusals);
  }
  return { results, cardIds: [...cardIds], refusals };
}

const RETRYABLE_CONSTRAINTS = new Set([
  'cards_board_rank_uq',
  'cards_board_number_uq',
  'plugin_tickets_key_uq',
]);

/** Deadlocks with concurrent user edits and rank collisions are transient: run the transaction again. */
export async function withTransactionRetry<T>(work: () => Promise<T>, attempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      const e = err as { code?: string; constraint?: string };
      const transient =
        e?.code === '40P01' ||
        e?.code === '40001' ||
        (e?.code === '23505' && e.constraint !== undefined && RETRYABLE_CONSTRAINTS.has(e.constraint));
      if (!transient || attempt >= attempts) throw err;
    }
  }
}

/** The delivery log's one-line summary: the handler's own, else why nothing happened. */
export function summaryOf(
  results: { op: string; result: string; message?: string }[],
  summary: string | null,
) {
  if (summary) return summary;
  const reasons = results.filter((r) => r.message && (r.result === 'ignored' || r.result === 'unchanged'));
  if (results.length === 0) return 'the plugin asked for nothing';
  return reasons.length > 0 ? [...new Set(reasons.map((r) => r.message))].join('; ').slice(0, 500) : null;
}
