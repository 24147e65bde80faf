/**
 * What happens to a plugin ticket as its source fails, recovers and fails again, pure. The host
 * looks up the ticket, asks these functions, then writes what they decide.
 *
 * - failure, no ticket                → create
 * - failure, this occurrence known     → unchanged (a redelivery or replay counts once)
 * - failure, ticket open               → count one more occurrence
 * - failure, ticket resolved           → reopen it, or raise a new linked one (installation config)
 * - recovery, ticket open              → resolve it, move it to review, or only annotate (config)
 * - recovery, ticket already recovered → try the move again, quietly (annotate: ignored)
 * - recovery, no ticket or resolved    → ignored
 *
 * Resolving and sending to review are card moves, decided by the same rules as a person's move
 * (domain/card-move.ts): a development ticket outside the active sprint is not put on the sprint
 * board; it stays in the backlog, marked recovered, with a comment that says why.
 */
import type { Lifecycle } from '../../protocol/plugin.ts';
import type { Category } from './flow.ts';

export interface TicketState {
  /** the card sits in a done column */
  resolved: boolean;
  /** this occurrence id was already counted on the ticket */
  occurrenceSeen: boolean;
}

export type FailureDecision = 'create' | 'count' | 'reopen' | 'raise_new' | 'unchanged';

export function decideOnFailure(ticket: TicketState | null, lifecycle: Lifecycle): FailureDecision {
  if (!ticket) return 'create';
  if (ticket.occurrenceSeen) return 'unchanged';
  if (!ticket.resolved) return 'count';
  return lifecycle.onRecurrence === 'new' ? 'raise_new' : 'reopen';
}

export type RecoveryDecision =
  | { kind: 'ignore'; reason: string }
  | {
      kind: 'resolve' | 'review' | 'annotate';
      /**
       * The source had already recovered and the ticket stayed open (the move was refused, e.g. a
       * backlog card): try the move again, but without another comment. Every green run on main
       * would otherwise add one.
       */
      alreadyRecovered?: true;
    };

export function decideOnRecovery(
  ticket: { resolved: boolean; recovered?: boolean } | null,
  lifecycle: Lifecycle,
): RecoveryDecision {
  if (!ticket) return { kind: 'ignore', reason: 'no ticket for this source' };
  if (ticket.resolved) return { kind: 'ignore', reason: 'the ticket is already resolved' };
  if (!ticket.recovered) return { kind: lifecycle.onRecovery };
  if (lifecycle.onRecovery === 'annotate')
    return { kind: 'ignore', reason: 'the source has already recovered' };
  return { kind: lifecycle.onRecovery, alreadyRecovered: true };
}

export interface ColumnChoice {
  id: string;
  name: string;
  stream: string;
  category: Category | string;
  position: number;
}

/** The stream's first done column. */
export function doneColumn<C extends ColumnChoice>(columns: C[], stream: string): C | null {
  return (
    columns
      .filter((c) => c.stream === stream && c.category === 'done')
      .sort((a, b) => a.position - b.position)[0] ?? null
  );
}

/**
 * The review column: the configured name if the stream has it; else an in-progress column named
 * like review/verify/test/QA; else the stream's last in-progress column.
 */
export function reviewColumn<C extends ColumnChoice>(
  columns: C[],
  stream: string,
  preferred?: string,
): C | null {
  const inProgress = columns
    .filter((c) => c.stream === stream && c.category === 'in_progress')
    .sort((a, b) => a.position - b.position);
  if (preferred) {
    const named = columns.find(
      (c) => c.stream === stream && c.name.toLowerCase() === preferred.toLowerCase(),
    );
    if (named) return named;
  }
  return inProgress.find((c) => /review|verif|test|qa/i.test(c.name)) ?? inProgress.at(-1) ?? null;
}

/** Per-action results, most significant first: what a delivery's log line says it did. */
const OUTCOME_ORDER = ['created', 'reopened', 'resolved', 'updated'] as const;
export type DeliveryOutcome = (typeof OUTCOME_ORDER)[number] | 'ignored';

export function deliveryOutcome(results: readonly string[]): DeliveryOutcome {
  const asOutcome = (r: string): DeliveryOutcome =>
    r === 'created' || r === 'reopened' || r === 'resolved'
      ? r
      : r === 'updated' || r === 'review' || r === 'annotated' || r === 'commented' || r === 'linked'
        ? 'updated'
        : 'ignored';
  const outcomes = new Set(results.map(asOutcome));
  return OUTCOME_ORDER.find((o) => outcomes.has(o)) ?? 'ignored';
}
