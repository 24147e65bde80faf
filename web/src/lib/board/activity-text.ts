/** Card history in words: "Ada changed priority from Medium to High". Pure, for the activity tab. */
import { type BoardEvent, exhaustive, type FieldChange } from '../../../../protocol/events.ts';
import { CARD_TYPE, CLASS_OF_SERVICE, PRIORITY, STREAM } from './vocabulary.ts';

export const FIELD_NAMES: Record<string, string> = {
  title: 'title',
  description: 'description',
  type: 'type',
  stream: 'stream',
  priority: 'priority',
  classOfService: 'class of service',
  estimate: 'estimate',
  labels: 'labels',
  assigneeId: 'assignee',
  blocked: 'blocked',
  blockedReason: 'blocked reason',
  dueDate: 'due date',
};

export function describeValue(field: string, value: unknown, names: ReadonlyMap<string, string>): string {
  if (value === null || value === undefined || value === '') return 'nothing';
  switch (field) {
    case 'type':
      return CARD_TYPE[value as keyof typeof CARD_TYPE]?.label ?? String(value);
    case 'priority':
      return PRIORITY[value as keyof typeof PRIORITY]?.label ?? String(value);
    case 'classOfService':
      return CLASS_OF_SERVICE[value as keyof typeof CLASS_OF_SERVICE] ?? String(value);
    case 'stream':
      return STREAM[value as keyof typeof STREAM] ?? String(value);
    case 'assigneeId':
      return names.get(String(value)) ?? 'a former member';
    case 'blocked':
      return value ? 'yes' : 'no';
    case 'labels':
      return (value as string[]).length ? (value as string[]).join(', ') : 'none';
    case 'estimate':
      return `${value} pt`;
    case 'description': {
      const text = String(value);
      return text.length > 60 ? `“${text.slice(0, 60)}…”` : `“${text}”`;
    }
    default:
      return `“${String(value)}”`;
  }
}

export function describeChange(c: FieldChange, names: ReadonlyMap<string, string>): string {
  return `${FIELD_NAMES[c.field] ?? c.field}: ${describeValue(c.field, c.from, names)} → ${describeValue(c.field, c.to, names)}`;
}

/** One line of what happened, without the actor (shown separately). */
export function describeEvent(e: BoardEvent): string {
  const kind: string = e.type;
  switch (e.type) {
    case 'card.created':
      return 'created the card';
    case 'card.updated':
      return 'edited';
    case 'card.moved': {
      const { from, card } = e.payload;
      if (from.columnId !== card.columnId) return 'moved it to another column';
      if (from.sprintId !== card.sprintId)
        return card.sprintId ? 'planned it into a sprint' : 'took it out of the sprint';
      return 're-ranked it in the backlog';
    }
    case 'card.commented':
      return 'commented';
    case 'card.deleted':
      return 'deleted the card';
    case 'card.linked':
      return `linked ${e.payload.kind.replace('_', ' ')} ${e.payload.linkedKey}`;
    case 'card.unlinked':
      return `unlinked ${e.payload.kind.replace('_', ' ')} ${e.payload.linkedKey}`;
    case 'cards.moved':
    case 'sprint.created':
    case 'sprint.updated':
    case 'sprint.started':
    case 'sprint.completed':
    case 'column.created':
    case 'column.updated':
    case 'columns.reordered':
    case 'column.deleted':
    case 'member.set':
    case 'member.removed':
    case 'release.created':
    case 'release.updated':
    case 'hypercare.updated':
    case 'hypercare.incident':
    case 'release.settings_changed':
    case 'sla.clock':
    case 'sla.document':
      return kind.replace('.', ' ');
    case 'sla.warning':
      return `${e.payload.which} SLA at 75%`;
    case 'sla.breached':
      return `${e.payload.which} SLA breached`;
    case 'oncall.rota_changed':
    case 'oncall.policy_changed':
      return kind.replace('.', ' ');
    case 'oncall.paged':
      return `paged ${e.payload.who?.name ?? 'nobody (no one on duty)'} (step ${e.payload.step + 1})`;
    case 'oncall.acknowledged':
      return 'acknowledged the incident';
    case 'improvement.settings_changed':
      return `set release reviews every ${e.payload.settings.cadenceWeeks} weeks`;
    case 'improvement.review_changed':
      return `${e.payload.change === 'recorded' ? 'recorded' : e.payload.change === 'scheduled' ? 'scheduled' : 'edited'} the review “${e.payload.review.title}”`;
    case 'improvement.review_deleted':
      return `took the review “${e.payload.title}” off the schedule`;
    case 'improvement.item_changed':
      return `${e.payload.change === 'raised' ? 'raised' : 'updated'} IMP-${e.payload.item.number}${e.payload.change === 'status' ? ` (${e.payload.item.status.replace('_', ' ')})` : ''}`;
    case 'improvement.item_deleted':
      return `deleted IMP-${e.payload.number}`;
    case 'warranty.updated':
      return `${e.payload.change === 'measured' ? 'measured' : `${e.payload.change} a`} warranty requirement`;
    case 'sla.review_changed':
      return `${e.payload.review ? 'recorded' : 'deleted'} the SLA review of ${e.payload.quarter}`;
    default:
      exhaustive(e);
      return kind.replace('.', ' ');
  }
}

export function changesOf(e: BoardEvent): FieldChange[] {
  return e.type === 'card.updated' || e.type === 'card.moved' ? (e.payload.changes ?? []) : [];
}

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** "2 minutes ago", or a date when older than a week. */
export function timeAgo(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), 'hour');
  if (abs < 7 * 86400) return rtf.format(Math.round(seconds / 86400), 'day');
  return new Date(iso).toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
}
