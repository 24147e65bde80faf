/**
 * Hyper-care and handover, pure (issue 17). After go-live the team that built a release keeps a
 * bounded warranty (the window); operational ownership passes to the AMS team through a handover
 * checklist the dev team works through and the AMS lead accepts or rejects. Hyper-care exits when
 * the window has elapsed, no critical or high incident linked to the release is open and the handover
 * is accepted; otherwise, at the window's end, it is extended and the failing criteria are recorded.
 * Every transition here takes the facts and returns the next state plus the decision to record, or a
 * refusal naming the field. No I/O: the service locks the row, calls these and writes the result.
 */
import type { ClassOfService, Priority, Stream } from '../../protocol/model.ts';

export const HYPERCARE_STATES = ['active', 'extended', 'exited'] as const;
export type HypercareState = (typeof HYPERCARE_STATES)[number];
export const HANDOVER_POINTS = ['pre_production', 'shadow', 'go_live', 'end_of_hypercare'] as const;
export type HandoverPoint = (typeof HANDOVER_POINTS)[number];
export const HANDOVER_STATES = ['open', 'submitted', 'accepted', 'rejected'] as const;
export type HandoverState = (typeof HANDOVER_STATES)[number];

export interface ChecklistItem {
  key: string;
  label: string;
  done: boolean;
}

export const DEFAULT_CHECKLIST: readonly { key: string; label: string }[] = [
  { key: 'runbook', label: 'Runbook updated' },
  { key: 'known_errors', label: 'Known errors documented with workarounds' },
  { key: 'monitoring', label: 'Monitoring and alerts in place' },
  { key: 'support_docs', label: 'Support documentation written' },
  { key: 'service_desk', label: 'Service desk trained' },
  { key: 'defects_triaged', label: 'Open defects triaged' },
];
export const DEFAULT_WINDOW_DAYS = 14;
export const DEFAULT_HANDOVER_POINT: HandoverPoint = 'end_of_hypercare';

export interface Who {
  userId: string | null;
  label: string;
}

export type DecisionKind =
  | 'started'
  | 'item'
  | 'submitted'
  | 'accepted'
  | 'rejected'
  | 'extended'
  | 'exited'
  | 'exited_early';

/** One entry of the immutable decision history: who, when, what and why. */
export interface Decision {
  kind: DecisionKind;
  by: Who;
  at: string;
  reason: string;
  /** the window's end after an extension */
  endsAt?: string;
}

export interface Hypercare {
  state: HypercareState;
  startedAt: Date;
  endsAt: Date;
  exitedAt: Date | null;
  ownerStream: Stream;
  handoverPoint: HandoverPoint;
  handover: HandoverState;
  checklist: ChecklistItem[];
}

export interface Refusal {
  field: string;
  message: string;
  /** conflict: the state does not allow it now (409); otherwise the input is wrong (400) */
  conflict: boolean;
}

export type Outcome = { ok: true; next: Hypercare; decision: Decision } | { ok: false; refusal: Refusal };

const refuse = (field: string, message: string, conflict = true): Outcome => ({
  ok: false,
  refusal: { field, message, conflict },
});
const decided = (next: Hypercare, decision: Decision): Outcome => ({ ok: true, next, decision });

export interface StartInput {
  at: Date;
  windowDays: number;
  /** length of one hyper-care day in ms (a day; tests and drills shorten it) */
  dayMs: number;
  ownerStream: Stream;
  handoverPoint: HandoverPoint;
  template: readonly { key: string; label: string }[];
  by: Who;
}

/** Hyper-care starts at go-live: the window from the release or the board default, owned by its team. */
export function start(input: StartInput): { hypercare: Hypercare; decision: Decision } {
  const endsAt = new Date(input.at.getTime() + input.windowDays * input.dayMs);
  return {
    hypercare: {
      state: 'active',
      startedAt: input.at,
      endsAt,
      exitedAt: null,
      ownerStream: input.ownerStream,
      handoverPoint: input.handoverPoint,
      // A handover due at go-live or before is expected to be ready as hyper-care starts.
      handover: 'open',
      checklist: input.template.map((i) => ({ key: i.key, label: i.label, done: false })),
    },
    decision: {
      kind: 'started',
      by: input.by,
      at: input.at.toISOString(),
      reason: `went live; hyper-care for ${input.windowDays} days`,
      endsAt: endsAt.toISOString(),
    },
  };
}

const inHypercare = (h: Hypercare) => h.state !== 'exited';

/** The dev team ticks (or unticks) a checklist item while the handover is open or was rejected. */
export function tick(h: Hypercare, key: string, done: boolean, by: Who, at: Date): Outcome {
  if (!h.checklist.some((i) => i.key === key))
    return refuse('key', `no such checklist item; one of ${h.checklist.map((i) => i.key).join(', ')}`, false);
  if (h.handover === 'submitted' || h.handover === 'accepted')
    return refuse('handover', `the handover is ${h.handover}: its checklist is fixed`);
  const checklist = h.checklist.map((i) => (i.key === key ? { ...i, done } : i));
  return decided(
    { ...h, checklist },
    { kind: 'item', by, at: at.toISOString(), reason: `${key} ${done ? 'done' : 'not done'}` },
  );
}

/** The dev team submits the handover to the AMS lead once every item is done. */
export function submit(h: Hypercare, by: Who, at: Date, note = ''): Outcome {
  if (h.handover === 'submitted' || h.handover === 'accepted')
    return refuse('handover', `the handover is already ${h.handover}`);
  const open = h.checklist.filter((i) => !i.done).map((i) => i.key);
  if (open.length > 0) return refuse('checklist', `not done yet: ${open.join(', ')}`);
  return decided(
    { ...h, handover: 'submitted' },
    { kind: 'submitted', by, at: at.toISOString(), reason: note },
  );
}

/** The AMS lead accepts a submitted handover: operational ownership passes to the AMS team. */
export function accept(h: Hypercare, by: Who, at: Date, note = ''): Outcome {
  if (h.handover === 'accepted') return refuse('handover', 'the handover is already accepted');
  if (h.handover !== 'submitted') return refuse('handover', 'the handover has not been submitted');
  return decided(
    { ...h, handover: 'accepted' },
    { kind: 'accepted', by, at: at.toISOString(), reason: note },
  );
}

/** The AMS lead rejects a submitted handover, saying why; the dev team works on it and submits again. */
export function reject(h: Hypercare, by: Who, at: Date, reason: string): Outcome {
  if (reason.trim() === '') return refuse('reason', 'say why the handover is rejected', false);
  if (h.handover !== 'submitted')
    return refuse(
      'handover',
      h.handover === 'accepted' ? 'the handover is already accepted' : 'the handover has not been submitted',
    );
  return decided(
    { ...h, handover: 'rejected' },
    { kind: 'rejected', by, at: at.toISOString(), reason: reason.trim() },
  );
}

export interface ExitFacts {
  now: Date;
  /** critical or high incidents linked to the release and not done */
  openSevereIncidents: number;
}

/** The exit criteria that fail now, in words (empty: hyper-care may exit). */
export function failingCriteria(h: Hypercare, facts: ExitFacts): string[] {
  const failing: string[] = [];
  if (facts.now.getTime() < h.endsAt.getTime()) failing.push('the window has not elapsed');
  if (facts.openSevereIncidents > 0)
    failing.push(
      `${facts.openSevereIncidents} critical or high incident${facts.openSevereIncidents === 1 ? ' is' : 's are'} open`,
    );
  if (h.handover !== 'accepted')
    failing.push(`the handover is ${h.handover === 'open' ? 'not submitted' : h.handover}`);
  return failing;
}

/** Whether the window's end is due: hyper-care not exited and its end reached. */
export const windowEndDue = (h: Hypercare, now: Date) =>
  inHypercare(h) && now.getTime() >= h.endsAt.getTime();

/**
 * The timed transition at the window's end. Not due (already exited, or extended meanwhile): null,
 * nothing happens, so a duplicate or re-delivered timer does nothing. Due: exit when every criterion
 * holds, otherwise extend by `extendDays` with the failing criteria as the reason.
 */
export function windowEnd(
  h: Hypercare,
  facts: ExitFacts,
  extendDays: number,
  dayMs: number,
): { next: Hypercare; decision: Decision } | null {
  if (!windowEndDue(h, facts.now)) return null;
  const by: Who = { userId: null, label: 'hyper-care timer' };
  const failing = failingCriteria(h, facts);
  if (failing.length === 0)
    return {
      next: { ...h, state: 'exited', exitedAt: facts.now },
      decision: { kind: 'exited', by, at: facts.now.toISOString(), reason: 'exit criteria met' },
    };
  const endsAt = new Date(Math.max(h.endsAt.getTime(), facts.now.getTime()) + extendDays * dayMs);
  return {
    next: { ...h, state: 'extended', endsAt },
    decision: {
      kind: 'extended',
      by,
      at: facts.now.toISOString(),
      reason: failing.join('; '),
      endsAt: endsAt.toISOString(),
    },
  };
}

/** An explicit extension: a decision with who, when and why, to a later end. */
export function extend(h: Hypercare, endsAt: Date, reason: string, by: Who, at: Date): Outcome {
  if (reason.trim() === '') return refuse('reason', 'say why hyper-care is extended', false);
  if (!inHypercare(h)) return refuse('state', 'hyper-care has ended');
  if (endsAt.getTime() <= h.endsAt.getTime() || endsAt.getTime() <= at.getTime())
    return refuse('endsAt', `must be later than the current end (${h.endsAt.toISOString()}) and now`, false);
  return decided(
    { ...h, state: 'extended', endsAt },
    { kind: 'extended', by, at: at.toISOString(), reason: reason.trim(), endsAt: endsAt.toISOString() },
  );
}

/** An early exit: a decision with who, when and why, whatever the criteria say. */
export function exitEarly(h: Hypercare, reason: string, by: Who, at: Date): Outcome {
  if (reason.trim() === '') return refuse('reason', 'say why hyper-care ends early', false);
  if (!inHypercare(h)) return refuse('state', 'hyper-care has ended');
  return decided(
    { ...h, state: 'exited', exitedAt: at },
    { kind: 'exited_early', by, at: at.toISOString(), reason: reason.trim() },
  );
}

// ---- incidents linked to a release --------------------------------------------------------------

export interface IncidentRoute {
  stream: Stream;
  priority: Priority;
  classOfService: ClassOfService;
  labels: string[];
  /** the incident is the builders' (hyper-care) and their team is told */
  hypercare: boolean;
}

export const HYPERCARE_LABEL = 'hyper-care';
const RANK: Record<Priority, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/**
 * Where an incident or defect linked to a release lands. During hyper-care: the owning team's
 * stream, labelled hyper-care, expedited, at least high priority. After it (or with no hyper-care):
 * the maintenance stream, as routed otherwise.
 */
export function routeLinkedIncident(
  h: Pick<Hypercare, 'state' | 'ownerStream'> | null,
  routed: { priority: Priority; classOfService: ClassOfService; labels: readonly string[] },
): IncidentRoute {
  if (h && h.state !== 'exited')
    return {
      stream: h.ownerStream,
      priority: RANK[routed.priority] <= RANK.high ? routed.priority : 'high',
      classOfService: 'expedite',
      labels: [...new Set([...routed.labels, HYPERCARE_LABEL])],
      hypercare: true,
    };
  return {
    stream: 'maintenance',
    priority: routed.priority,
    classOfService: routed.classOfService,
    labels: routed.labels.filter((l) => l !== HYPERCARE_LABEL),
    hypercare: false,
  };
}

/**
 * Which release a ticket names, from its labels: `release:<version>` or `version:<version>`
 * (case-insensitive), the first that matches one of `versions`.
 */
export function releaseReference(labels: readonly string[], versions: readonly string[]): string | null {
  const byLower = new Map(versions.map((v) => [v.toLowerCase(), v]));
  for (const label of labels) {
    const m = /^(?:release|version)[:=]\s*(.+)$/i.exec(label.trim());
    const found = m ? byLower.get(m[1]!.toLowerCase()) : undefined;
    if (found) return found;
  }
  return null;
}

/**
 * The live release an incident on `service` belongs to: the most recently live one whose plan names
 * the service (case-insensitive).
 */
export function releaseForService<R extends { services: readonly string[]; liveAt: Date | null }>(
  service: string | undefined,
  releases: readonly R[],
): R | null {
  if (!service) return null;
  const wanted = service.trim().toLowerCase();
  const naming = releases.filter((r) => r.services.some((s) => s.trim().toLowerCase() === wanted));
  naming.sort((a, b) => (b.liveAt?.getTime() ?? 0) - (a.liveAt?.getTime() ?? 0));
  return naming[0] ?? null;
}
