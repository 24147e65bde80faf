/**
 * Repeats in bulk. Most deliveries under load say "the same thing failed again": a raise for a
 * ticket that exists and is open. For a batch of those, one transaction counts every occurrence with
 * a handful of multi-row statements and one board event per ticket, instead of a transaction per
 * delivery. The outcome is exactly what the one-by-one path (ticket-writer.ts) would produce;
 * anything else (a first failure, a recovery, a resolved ticket, comments, the problem rule) and
 * every key such a delivery touches stays on that path, so the order of events per key is kept.
 */
import type { ActionResult, TicketAction } from '../../protocol/plugin.ts';
import { toCard } from '../cards/repo.ts';
import { deliveryOutcome } from '../domain/ticket-lifecycle.ts';
import { commitWithEvents } from '../sync/event-log.ts';
import { PROBLEM_PLUGIN_ID, pluginActor, problemRuleOf, summaryOf, withTransactionRetry } from './apply.ts';
import type { PreparedDelivery, ProcessorDeps } from './processor.ts';
import * as repo from './repo.ts';
import { EventSink, ownKeysOf } from './ticket-writer.ts';

type Raise = Extract<TicketAction, { op: 'raise' }>;

const raisesOf = (p: PreparedDelivery) => p.actions.filter((a): a is Raise => a.op === 'raise');
const refersToCard = (a: TicketAction) =>
  'ref' in a &&
  (typeof a.ref !== 'string' || (a.op === 'link' && typeof a.to === 'object' && 'cardId' in a.to));

/**
 * Applies the deliveries (all of one installation, in arrival order) that only repeat open tickets.
 * Returns the ones left for the one-by-one path.
 */
export async function applyRepeats(
  deps: ProcessorDeps,
  prepared: PreparedDelivery[],
): Promise<PreparedDelivery[]> {
  const first = prepared[0];
  if (!first) return [];
  const { installation } = first;
  const boardId = installation.board_id;
  const pluginId = installation.plugin_id;
  const keyOf = (dedupKey: string) => `${pluginId}|${dedupKey}`;
  const keysOf = (p: PreparedDelivery) => raisesOf(p).map((a) => keyOf(a.ticket.dedupKey));

  const board = await deps.directory.forBoard(boardId);
  const rule = problemRuleOf(board.installations.find((i) => i.plugin_id === PROBLEM_PLUGIN_ID));
  const candidates = prepared.filter(
    (p) =>
      // release reports go through the release service, on the one-by-one path
      p.releaseReports.length === 0 &&
      p.actions.every((a) => a.op === 'raise' || a.op === 'ignore') &&
      // incidents feed the recurring-incident rule, which the one-by-one path runs
      !(rule && raisesOf(p).some((a) => a.ticket.kind === 'incident')),
  );
  if (candidates.length === 0) return prepared;

  try {
    const done = await withTransactionRetry(() =>
      commitWithEvents(deps.db, deps.bus, async (trx, record) => {
        const keys = [...new Set(candidates.flatMap(keysOf))].sort();
        await repo.lockTicketKeys(trx, boardId, keys);
        const tickets = new Map(
          (await repo.lockTicketsWithCards(trx, boardId, keys)).map((t) => [keyOf(t.ticket.dedup_key), t]),
        );
        const open = (k: string) => {
          const t = tickets.get(k);
          return t !== undefined && t.doneAt === null && t.ticket.status === 'firing';
        };
        let bulk = candidates.filter((p) => keysOf(p).every(open));
        // A key also touched (raised, recovered, commented, linked…) by a delivery on the one-by-one
        // path stays there entirely; a card referred to by id could be any ticket, so then all do.
        for (;;) {
          const slow = prepared.filter((p) => !bulk.includes(p));
          if (slow.some((p) => p.actions.some(refersToCard))) bulk = [];
          const slowKeys = new Set(slow.flatMap((p) => ownKeysOf(p.actions).map(keyOf)));
          const next = bulk.filter((p) => !keysOf(p).some((k) => slowKeys.has(k)));
          if (next.length === bulk.length) break;
          bulk = next;
        }
        if (bulk.length === 0) return null;

        // 1. every occurrence, once (a redelivered run or replayed delivery is already there)
        const occurrences = bulk.flatMap((p) =>
          raisesOf(p).map((a, i) => {
            const t = tickets.get(keyOf(a.ticket.dedupKey))!.ticket;
            return {
              ticket_id: t.id,
              board_id: boardId,
              card_id: t.card_id,
              occurrence_key: a.ticket.occurrenceId ?? `delivery:${p.delivery.id}${i > 0 ? `#${i}` : ''}`,
              kind: a.ticket.kind,
              fingerprint: a.ticket.fingerprint ?? null,
              service: a.ticket.service ?? null,
              delivery_id: p.delivery.id,
              url: a.ticket.url ?? null,
              occurred_at: a.ticket.occurredAt ? new Date(a.ticket.occurredAt) : p.delivery.received_at,
            };
          }),
        );
        const fresh = new Set(
          (await repo.insertOccurrences(trx, occurrences)).map((r) => `${r.ticket_id}|${r.occurrence_key}`),
        );
        const counted = occurrences.map((o) => fresh.delete(`${o.ticket_id}|${o.occurrence_key}`));

        // 2. one update per ticket and card, one board event per card
        const perTicket = new Map<string, { added: number; lastSeen: Date; lastUrl: string | null }>();
        occurrences.forEach((o, i) => {
          if (!counted[i]) return;
          const agg = perTicket.get(o.ticket_id) ?? { added: 0, lastSeen: new Date(0), lastUrl: null };
          agg.added++;
          if (o.occurred_at > agg.lastSeen) agg.lastSeen = o.occurred_at;
          agg.lastUrl = o.url ?? agg.lastUrl;
          perTicket.set(o.ticket_id, agg);
        });
        const touched = [...tickets.values()].filter((t) => perTicket.has(t.ticket.id));
        const updates = touched.map((t) => {
          const agg = perTicket.get(t.ticket.id)!;
          const lastSeen = new Date(Math.max(agg.lastSeen.getTime(), t.ticket.last_seen_at.getTime()));
          return {
            t,
            occurrences: t.ticket.occurrences + agg.added,
            lastSeen,
            lastUrl: agg.lastUrl ?? t.ticket.last_url,
          };
        });
        await repo.updateTicketCounts(
          trx,
          updates.map((u) => ({
            id: u.t.ticket.id,
            occurrences: u.occurrences,
            last_seen_at: u.lastSeen.toISOString(),
            last_url: u.lastUrl,
          })),
        );
        const cards = await repo.updateCardSources(
          trx,
          updates.map((u) => ({
            id: u.t.ticket.card_id,
            source: {
              ...u.t.source,
              occurrences: u.occurrences,
              lastSeenAt: u.lastSeen.toISOString(),
              status: 'firing',
              ...(u.lastUrl ? { url: u.lastUrl } : {}),
            },
          })),
        );
        const cardRows = new Map(cards.map((c) => [c.id, c]));
        const sink = new EventSink();
        for (const u of updates) {
          const row = cardRows.get(u.t.ticket.card_id)!;
          sink.add({
            boardId,
            type: 'card.updated',
            cardId: row.id,
            actor: pluginActor(pluginId),
            payload: {
              card: toCard(row),
              changes: [{ field: 'occurrences', from: u.t.ticket.occurrences, to: u.occurrences }],
            },
          });
        }

        // 3. what each delivery did, in the delivery log
        let next = 0;
        const marks = bulk.map((p) => {
          const results: ActionResult[] = p.actions.map((a) => {
            if (a.op !== 'raise')
              return { op: 'ignore', result: 'ignored', message: (a as { reason: string }).reason };
            const t = tickets.get(keyOf(a.ticket.dedupKey))!;
            const isNew = counted[next++];
            return {
              op: 'raise',
              result: isNew ? 'updated' : 'unchanged',
              dedupKey: a.ticket.dedupKey,
              cardId: t.ticket.card_id,
              cardKey: t.cardKey,
              ...(isNew ? {} : { message: 'this occurrence was already counted' }),
            };
          });
          return {
            id: p.delivery.id,
            outcome: deliveryOutcome(results.map((r) => r.result)),
            summary: summaryOf(results, p.summary),
            results,
            card_ids: [...new Set(results.flatMap((r) => (r.cardId ? [r.cardId] : [])))],
          };
        });
        await repo.markManyProcessed(trx, marks);
        await sink.flush(record);
        return { bulk, marks };
      }),
    );
    if (!done) return prepared;
    for (const m of done.marks) deps.processed.inc({ plugin: pluginId, outcome: m.outcome });
    return prepared.filter((p) => !done.bulk.includes(p));
  } catch (err) {
    deps.log.warn({ err, installation: installation.id }, 'bulk apply failed; processing one by one');
    return prepared;
  }
}
