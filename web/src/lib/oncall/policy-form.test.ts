import { describe, expect, it } from 'vitest';
import {
  fieldMessage,
  formatHours,
  formField,
  targetKey,
  targetLabel,
  targetOf,
  toDraft,
  toInput,
} from './policy-form.ts';

const ROTA = '11111111-1111-4111-8111-111111111111';
const USER = '22222222-2222-4222-8222-222222222222';

describe('policy draft', () => {
  it('round-trips every target kind through its select value', () => {
    for (const t of [
      { kind: 'on_duty', rotaId: ROTA },
      { kind: 'next_on_duty', rotaId: ROTA },
      { kind: 'user', userId: USER },
    ] as const)
      expect(targetOf(targetKey(t))).toEqual(t);
  });

  it('turns a policy into a draft and back unchanged', () => {
    const policy = {
      name: 'Critical',
      priorities: ['critical' as const, 'high' as const],
      steps: [
        { target: { kind: 'on_duty' as const, rotaId: ROTA }, afterMinutes: 0 },
        { target: { kind: 'user' as const, userId: USER }, afterMinutes: 15 },
      ],
    };
    const draft = toDraft(policy);
    expect(draft.steps[1]).toEqual({ target: `user:${USER}`, afterMinutes: 15 });
    expect(toInput(draft)).toEqual(policy);
  });

  it('labels targets with the rota and person names', () => {
    const rota = () => 'AMS weekly';
    const person = () => 'Ada';
    expect(targetLabel({ kind: 'on_duty', rotaId: ROTA }, rota, person)).toBe('on duty in AMS weekly');
    expect(targetLabel({ kind: 'next_on_duty', rotaId: ROTA }, rota, person)).toBe(
      'next on duty in AMS weekly',
    );
    expect(targetLabel({ kind: 'user', userId: USER }, rota, person)).toBe('Ada');
  });
});

describe('formField', () => {
  it('puts schema and rule refusals for a step on the same field', () => {
    expect(formField('steps.1.afterMinutes')).toBe('steps.1.afterMinutes');
    expect(formField('steps[1].afterMinutes')).toBe('steps.1.afterMinutes');
    expect(formField('steps[0].target.rotaId')).toBe('steps.0.target');
    expect(formField('steps.2.target.kind')).toBe('steps.2.target');
  });
  it('keeps whole-list, name and priority fields, and nothing else', () => {
    expect(formField('steps')).toBe('steps');
    expect(formField('priorities.0')).toBe('priorities');
    expect(formField('name')).toBe('name');
    expect(formField('body')).toBeNull();
    expect(formField(undefined)).toBeNull();
  });
});

describe('formatHours', () => {
  it('shows hours under two days, then days and hours', () => {
    expect(formatHours(12.4)).toBe('12 h');
    expect(formatHours(47.6)).toBe('2 d');
    expect(formatHours(168)).toBe('7 d');
    expect(formatHours(170)).toBe('7 d 2 h');
  });
});

describe('fieldMessage', () => {
  it('drops the field path from a message shown at its field', () => {
    expect(fieldMessage('steps[1].afterMinutes: each step comes later than the one before')).toBe(
      'each step comes later than the one before',
    );
    expect(fieldMessage('steps.1.afterMinutes: must be <= 1440')).toBe('must be <= 1440');
    expect(fieldMessage('Not allowed')).toBe('Not allowed');
  });
});
