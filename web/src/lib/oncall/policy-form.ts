/**
 * Pure helpers for the escalation-policy editor and the service-history view: a policy as an
 * editable draft and back, labels for its step targets, and where a server refusal's field belongs.
 */
import type { Priority } from '../../../../protocol/model.ts';
import type { Policy, PolicyInput } from '../../../../protocol/oncall.ts';

type Target = Policy['steps'][number]['target'];

/** One step as the form holds it: its target as one select value, minutes as typed (null: empty). */
export interface StepDraft {
  target: string;
  afterMinutes: number | null;
}
export interface PolicyDraft {
  name: string;
  priorities: Priority[];
  steps: StepDraft[];
}

/** A target as one select value: `on_duty:<rotaId>`, `next_on_duty:<rotaId>` or `user:<userId>`. */
export function targetKey(t: Target): string {
  return t.kind === 'user' ? `user:${t.userId}` : `${t.kind}:${t.rotaId}`;
}

export function targetOf(key: string): Target {
  const [kind, id = ''] = key.split(':', 2) as [string, string | undefined];
  if (kind === 'user') return { kind: 'user', userId: id };
  return { kind: kind === 'next_on_duty' ? 'next_on_duty' : 'on_duty', rotaId: id };
}

export function targetLabel(
  t: Target,
  rotaName: (id: string) => string,
  personName: (id: string) => string,
): string {
  switch (t.kind) {
    case 'on_duty':
      return `on duty in ${rotaName(t.rotaId)}`;
    case 'next_on_duty':
      return `next on duty in ${rotaName(t.rotaId)}`;
    case 'user':
      return personName(t.userId);
  }
}

export function toDraft(p: Pick<Policy, 'name' | 'priorities' | 'steps'>): PolicyDraft {
  return {
    name: p.name,
    priorities: [...p.priorities],
    steps: p.steps.map((s) => ({ target: targetKey(s.target), afterMinutes: s.afterMinutes })),
  };
}

/** The body to send. An empty minutes field goes as null so the server names the field (400). */
export function toInput(d: PolicyDraft): PolicyInput {
  return {
    name: d.name,
    priorities: d.priorities,
    steps: d.steps.map((s) => ({
      target: targetOf(s.target),
      afterMinutes: s.afterMinutes as number,
    })),
  };
}

/** Where a refusal's field goes in the form: schema errors say `steps.1.afterMinutes`, the rules
 * `steps[1].afterMinutes`; a target's inner field (`…target.rotaId`) belongs to its select. */
export function formField(field: string | undefined): string | null {
  if (!field) return null;
  const dotted = field.replace(/\[(\d+)\]/g, '.$1');
  const step = /^steps\.(\d+)\.(afterMinutes|target)/.exec(dotted);
  if (step) return `steps.${step[1]}.${step[2]}`;
  if (/^steps(\.|$)/.test(dotted)) return 'steps';
  if (dotted.startsWith('priorities')) return 'priorities';
  if (dotted.startsWith('name')) return 'name';
  return null;
}

/** A refusal's message shown next to its field: the field's path prefix says nothing there. */
export function fieldMessage(message: string): string {
  return message.replace(/^[\w.[\]]+: /, '');
}

/** Hours served, readable: under two days in hours, else days and hours. */
export function formatHours(hours: number): string {
  const h = Math.round(hours);
  if (h < 48) return `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}
