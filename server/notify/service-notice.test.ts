import { describe, expect, it } from 'vitest';
import type { BoardEventOf } from '../../protocol/events.ts';
import { type ServiceEvent, serviceNotice, serviceNoticeKind } from './service-notice.ts';

const BOARD = '11111111-1111-4111-8111-111111111111';
const CARD = '33333333-3333-4333-8333-333333333333';
const ctx = { boardName: 'Payments', publicUrl: 'https://bb.example' };
const envelope = { seq: 9, boardId: BOARD, at: '2026-12-04T10:00:00.000Z', actor: { label: 'Max' } };
const event = (type: string, cardId: string | null, payload: unknown) =>
  ({ ...envelope, type, cardId, payload }) as unknown as ServiceEvent;

const clock = { cardId: CARD, tier: 'high' } as BoardEventOf<'sla.warning'>['payload']['clock'];
const incident = (hypercare: boolean) => ({
  incident: {
    releaseId: '22222222-2222-4222-8222-222222222222',
    version: '2.4.0',
    cardId: CARD,
    cardKey: 'PAY-7',
    stream: hypercare ? 'development' : 'maintenance',
    hypercare,
    ownerStream: 'development',
  },
});

describe('service notices', () => {
  it('an SLA breach is an error, a warning a warning, each with its own dedup key per clock', () => {
    const card = { key: 'PAY-7', title: 'Checkout fails' };
    const warn = serviceNotice(
      event('sla.warning', CARD, { clock, which: 'response', dueAt: 'x' }),
      card,
      ctx,
    )!;
    const breach = serviceNotice(
      event('sla.breached', CARD, { clock, which: 'resolution', dueAt: 'y' }),
      card,
      ctx,
    )!;
    expect([warn.kind, warn.severity, warn.dedupKey]).toEqual([
      'sla.warning',
      'warning',
      `sla:${CARD}:response`,
    ]);
    expect([breach.kind, breach.severity, breach.dedupKey]).toEqual([
      'sla.breached',
      'error',
      `sla:${CARD}:resolution`,
    ]);
    expect(breach.summary).toContain('PAY-7 Checkout fails');
    expect(breach.link).toBe(`https://bb.example/boards/${BOARD}`);
  });

  it('tells the builders only of incidents routed to them during hyper-care', () => {
    expect(serviceNoticeKind(event('hypercare.incident', CARD, incident(true)))).toBe('hypercare.incident');
    expect(serviceNoticeKind(event('hypercare.incident', CARD, incident(false)))).toBeNull();
  });

  it('tells hyper-care decisions, not a ticked checklist item', () => {
    const hc = { releaseId: 'r', version: '2.4.0', endsAt: '2026-12-18T10:00:00.000Z' };
    expect(serviceNoticeKind(event('hypercare.updated', null, { hypercare: hc, change: 'item' }))).toBeNull();
    const accepted = serviceNotice(
      event('hypercare.updated', null, { hypercare: hc, change: 'accepted' }),
      null,
      ctx,
    )!;
    expect(accepted.summary).toBe('Release 2.4.0 hyper-care handover accepted by the AMS team');
    expect(accepted.link).toBe(`https://bb.example/boards/${BOARD}/releases/r`);
  });
});
