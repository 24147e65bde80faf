/**
 * Problem management rule, pure: when incidents with the same fingerprint (or on the same service)
 * recur `threshold` times within `windowMinutes`, raise one problem ticket for them: a known-error
 * record with root cause and workaround to fill in, linked to the incidents. While that problem is
 * open, every further matching incident is counted on it and linked to it. A problem takes the
 * highest priority of its incidents, and rises when a more urgent incident joins it while open.
 */
import { PRIORITIES, type Priority } from '../../protocol/model.ts';

export type RecurrenceMatch = 'fingerprint' | 'service';

export interface RecurrenceConfig {
  enabled: boolean;
  threshold: number;
  windowMinutes: number;
  /** checked in this order; the first that applies decides */
  matchBy: RecurrenceMatch[];
}

export interface RecurrenceInput {
  incident: { title: string; fingerprint?: string | null; service?: string | null };
  /** matching incident occurrences within the window, this one included */
  counts: Partial<Record<RecurrenceMatch, number>>;
  /** an open (unresolved) problem already exists for this fingerprint / service */
  openProblem: Partial<Record<RecurrenceMatch, boolean>>;
}

export interface RecurrenceDecision {
  dedupKey: string;
  matchBy: RecurrenceMatch;
  value: string;
  /** the problem exists and is open: count and link; otherwise the threshold was reached: raise */
  reason: 'open_problem' | 'threshold';
  title: string;
  description: string;
}

export function problemKey(matchBy: RecurrenceMatch, value: string): string {
  return `recurring:${matchBy}:${value}`;
}

export function windowStart(now: Date, config: RecurrenceConfig): Date {
  return new Date(now.getTime() - config.windowMinutes * 60_000);
}

export function decideRecurringProblem(
  config: RecurrenceConfig,
  input: RecurrenceInput,
): RecurrenceDecision | null {
  if (!config.enabled) return null;
  for (const matchBy of config.matchBy) {
    const value = input.incident[matchBy];
    if (!value) continue;
    const count = input.counts[matchBy] ?? 0;
    const open = input.openProblem[matchBy] === true;
    if (!open && count < config.threshold) continue;
    const subject =
      matchBy === 'fingerprint'
        ? `Recurring incident: ${input.incident.title}`
        : `Recurring incidents on ${value}`;
    return {
      dedupKey: problemKey(matchBy, value),
      matchBy,
      value,
      reason: open ? 'open_problem' : 'threshold',
      title: subject.slice(0, 300),
      description:
        `${count} incidents with ${matchBy} "${value}" within ${config.windowMinutes} minutes ` +
        `(threshold ${config.threshold}).\n\nKnown error record: fill in the root cause and the workaround.`,
    };
  }
  return null;
}

/** Lower index is more urgent (PRIORITIES runs critical → low). */
const urgency = (p: Priority) => PRIORITIES.indexOf(p);

/**
 * The priority a problem should have: a newly raised one (`current` null) takes the highest priority
 * of its incidents; an open one keeps its own unless a linked incident is more urgent, never lowered
 * (a person may have raised it by hand). Null when there are no incidents to go by.
 */
export function problemPriority(current: Priority | null, incidents: readonly Priority[]): Priority | null {
  const all = current === null ? [...incidents] : [current, ...incidents];
  if (all.length === 0) return null;
  return all.reduce((a, b) => (urgency(b) < urgency(a) ? b : a));
}
