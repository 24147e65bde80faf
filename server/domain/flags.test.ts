import { describe, expect, it } from 'vitest';
import { evaluateFlag, FLAG_CATALOGUE, type FlagRule, type FlagTarget, valueMismatch } from './flags.ts';

const PAYMENTS = 'board-payments';
const HELPDESK = 'board-helpdesk';

const everywhere = (value: boolean): FlagRule => ({ boardId: null, role: null, value });
const forRole = (role: FlagRule['role'], value: boolean): FlagRule => ({ boardId: null, role, value });
const onBoard = (boardId: string, value: boolean): FlagRule => ({ boardId, role: null, value });
const roleOnBoard = (boardId: string, role: FlagRule['role'], value: boolean): FlagRule => ({
  boardId,
  role,
  value,
});
const viewerOnPayments: FlagTarget = { boardId: PAYMENTS, role: 'viewer' };

describe('which override applies', () => {
  it('no override: the default', () => {
    expect(evaluateFlag(true, [], viewerOnPayments)).toEqual({ value: true, reason: 'DEFAULT', scope: null });
  });

  it('the installation override applies to every board and role', () => {
    expect(evaluateFlag(true, [everywhere(false)], viewerOnPayments).value).toBe(false);
    expect(evaluateFlag(true, [everywhere(false)], { boardId: null, role: null }).value).toBe(false);
  });

  it('a role beats the installation, a board beats a role, a role on a board beats both', () => {
    const rules = [everywhere(false), forRole('viewer', true)];
    expect(evaluateFlag(true, rules, viewerOnPayments).value).toBe(true);
    rules.push(onBoard(PAYMENTS, false));
    expect(evaluateFlag(true, rules, viewerOnPayments)).toMatchObject({
      value: false,
      scope: { boardId: PAYMENTS, role: null },
    });
    rules.push(roleOnBoard(PAYMENTS, 'viewer', true));
    expect(evaluateFlag(true, rules, viewerOnPayments)).toMatchObject({
      value: true,
      reason: 'TARGETING_MATCH',
      scope: { boardId: PAYMENTS, role: 'viewer' },
    });
  });

  it('the order of the rules does not matter', () => {
    const rules = [onBoard(PAYMENTS, false), forRole('viewer', true), everywhere(true)];
    expect(evaluateFlag(true, rules, viewerOnPayments).value).toBe(false);
    expect(evaluateFlag(true, [...rules].reverse(), viewerOnPayments).value).toBe(false);
  });

  it('an override of another board or another role never applies', () => {
    const rules = [
      onBoard(HELPDESK, false),
      forRole('developer', false),
      roleOnBoard(PAYMENTS, 'admin', false),
    ];
    expect(evaluateFlag(true, rules, viewerOnPayments)).toEqual({
      value: true,
      reason: 'DEFAULT',
      scope: null,
    });
  });

  it('without a board (the board list) only installation and role overrides apply', () => {
    const rules = [onBoard(PAYMENTS, false), forRole('admin', false)];
    expect(evaluateFlag(true, rules, { boardId: null, role: null }).value).toBe(true);
    expect(evaluateFlag(true, rules, { boardId: null, role: 'admin' }).value).toBe(false);
  });
});

describe('values and the catalogue', () => {
  it('a value must have the flag type', () => {
    expect(valueMismatch('boolean', true)).toBeNull();
    expect(valueMismatch('boolean', 'true')).toBe('flag is a boolean, got string');
    expect(valueMismatch('number', 3)).toBeNull();
    expect(valueMismatch('number', false)).toBe('flag is a number, got boolean');
    expect(valueMismatch('string', 'blue')).toBeNull();
  });

  it('new capabilities are in the catalogue and default on', () => {
    for (const key of ['reports', 'releases', 'hypercare', 'service-desk']) {
      expect(FLAG_CATALOGUE.find((f) => f.key === key)).toMatchObject({
        type: 'boolean',
        defaultValue: true,
      });
    }
  });
});
