import { describe, expect, it } from 'vitest';
import { countdown } from './countdown.ts';

const end = '2026-12-04T12:00:00.000Z';
const at = (iso: string) => Date.parse(iso);

describe('countdown', () => {
  it('shows minutes and seconds in the last hour', () => {
    expect(countdown(end, at('2026-12-04T11:58:55.000Z'))).toBe('01:05');
  });
  it('rounds a part-second up so it never shows 00:00 while time remains', () => {
    expect(countdown(end, at('2026-12-04T11:59:59.400Z'))).toBe('00:01');
  });
  it('shows hours, and days when more than one is left', () => {
    expect(countdown(end, at('2026-12-04T08:59:00.000Z'))).toBe('03:01:00');
    expect(countdown(end, at('2026-12-01T11:00:00.000Z'))).toBe('3d 01:00:00');
  });
  it('says ended at and after the end', () => {
    expect(countdown(end, at(end))).toBe('ended');
    expect(countdown(end, at('2026-12-05T00:00:00.000Z'))).toBe('ended');
  });
});
