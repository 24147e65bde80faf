import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accept,
  DEFAULT_CHECKLIST,
  exitEarly,
  extend,
  failingCriteria,
  type Hypercare,
  type Outcome,
  reject,
  releaseForService,
  releaseReference,
  routeLinkedIncident,
  start,
  submit,
  tick,
  windowEnd,
} from './hypercare.ts';

const DAY = 86_400_000;
const goLive = new Date('2027-01-10T09:00:00Z');
const dev = { userId: 'u-dev', label: 'Dev' };
const ams = { userId: 'u-ams', label: 'AMS lead' };
const later = (days: number) => new Date(goLive.getTime() + days * DAY);

function wentLive(days = 14): Hypercare {
  return start({
    at: goLive,
    windowDays: days,
    dayMs: DAY,
    ownerStream: 'development',
    handoverPoint: 'end_of_hypercare',
    template: DEFAULT_CHECKLIST,
    by: ams,
  }).hypercare;
}

function next(o: Outcome): Hypercare {
  if (!o.ok) throw new Error(`refused: ${o.refusal.field}: ${o.refusal.message}`);
  return o.next;
}

const allTicked = (h: Hypercare) =>
  h.checklist.reduce((acc, i) => next(tick(acc, i.key, true, dev, later(1))), h);
const submitted = (h = wentLive()) => next(submit(allTicked(h), dev, later(2)));
const accepted = (h = wentLive()) => next(accept(submitted(h), ams, later(3)));

describe('starting hyper-care at go-live', () => {
  it('opens the window from go-live, owned by the originating stream, with the board checklist open', () => {
    const { hypercare, decision } = start({
      at: goLive,
      windowDays: 14,
      dayMs: DAY,
      ownerStream: 'development',
      handoverPoint: 'go_live',
      template: DEFAULT_CHECKLIST,
      by: ams,
    });
    expect(hypercare).toMatchObject({
      state: 'active',
      endsAt: later(14),
      ownerStream: 'development',
      handoverPoint: 'go_live',
      handover: 'open',
    });
    expect(hypercare.checklist.map((i) => i.key)).toEqual([
      'runbook',
      'known_errors',
      'monitoring',
      'support_docs',
      'service_desk',
      'defects_triaged',
    ]);
    expect(hypercare.checklist.every((i) => !i.done)).toBe(true);
    expect(decision).toMatchObject({ kind: 'started', endsAt: later(14).toISOString() });
  });
});

describe('the handover checklist', () => {
  it('ticks and unticks an item; an unknown item is refused naming key', () => {
    const h = next(tick(wentLive(), 'runbook', true, dev, later(1)));
    expect(h.checklist.find((i) => i.key === 'runbook')?.done).toBe(true);
    expect(next(tick(h, 'runbook', false, dev, later(1))).checklist[0]?.done).toBe(false);
    expect(tick(h, 'coffee', true, dev, later(1))).toMatchObject({
      ok: false,
      refusal: { field: 'key', conflict: false },
    });
  });

  it('cannot be submitted with items open, and names them', () => {
    const h = next(tick(wentLive(), 'runbook', true, dev, later(1)));
    const o = submit(h, dev, later(1));
    expect(o).toMatchObject({ ok: false, refusal: { field: 'checklist' } });
    if (!o.ok) expect(o.refusal.message).toContain('known_errors');
  });

  it('is fixed once submitted, and once accepted', () => {
    expect(tick(submitted(), 'runbook', false, dev, later(2))).toMatchObject({
      ok: false,
      refusal: { field: 'handover' },
    });
    expect(tick(accepted(), 'runbook', false, dev, later(4))).toMatchObject({ ok: false });
  });
});

describe('acceptance by the AMS lead', () => {
  it('accepts a submitted handover, once', () => {
    const h = accepted();
    expect(h.handover).toBe('accepted');
    expect(accept(h, ams, later(4))).toMatchObject({
      ok: false,
      refusal: { field: 'handover', conflict: true },
    });
  });

  it('cannot accept what was not submitted', () => {
    expect(accept(wentLive(), ams, later(1))).toMatchObject({ ok: false, refusal: { field: 'handover' } });
  });

  it('rejects with a reason; the dev team fixes the checklist and submits again', () => {
    expect(reject(submitted(), ams, later(3), '  ')).toMatchObject({
      ok: false,
      refusal: { field: 'reason', conflict: false },
    });
    const o = reject(submitted(), ams, later(3), 'runbook lacks the restart steps');
    expect(o).toMatchObject({
      ok: true,
      decision: { kind: 'rejected', reason: 'runbook lacks the restart steps' },
    });
    const rejected = next(o);
    const fixed = next(
      tick(next(tick(rejected, 'runbook', false, dev, later(3))), 'runbook', true, dev, later(3)),
    );
    expect(next(submit(fixed, dev, later(4))).handover).toBe('submitted');
  });

  it('cannot reject an accepted handover', () => {
    expect(reject(accepted(), ams, later(4), 'changed my mind')).toMatchObject({ ok: false });
  });
});

describe('the window end', () => {
  it('does nothing before the end', () => {
    expect(windowEnd(accepted(), { now: later(13), openSevereIncidents: 0 }, 7, DAY)).toBeNull();
  });

  it('exits when the window elapsed, nothing severe is open and the handover is accepted', () => {
    const ended = windowEnd(accepted(), { now: later(14), openSevereIncidents: 0 }, 7, DAY);
    expect(ended?.next).toMatchObject({ state: 'exited', exitedAt: later(14) });
    expect(ended?.decision).toMatchObject({ kind: 'exited', by: { userId: null } });
  });

  it('extends, recording the failing criterion, while a severe incident is open', () => {
    const ended = windowEnd(accepted(), { now: later(14), openSevereIncidents: 2 }, 7, DAY);
    expect(ended?.next).toMatchObject({ state: 'extended', endsAt: later(21) });
    expect(ended?.decision.reason).toBe('2 critical or high incidents are open');
  });

  it('extends, recording the failing criterion, while the handover is not accepted', () => {
    expect(windowEnd(wentLive(), { now: later(14), openSevereIncidents: 0 }, 7, DAY)?.decision.reason).toBe(
      'the handover is not submitted',
    );
    expect(windowEnd(submitted(), { now: later(14), openSevereIncidents: 1 }, 7, DAY)?.decision.reason).toBe(
      '1 critical or high incident is open; the handover is submitted',
    );
  });

  it('fires once: applied again at the same instant it does nothing', () => {
    const facts = { now: later(14), openSevereIncidents: 1 };
    const first = windowEnd(accepted(), facts, 7, DAY)!;
    expect(windowEnd(first.next, facts, 7, DAY)).toBeNull();
    const exited = windowEnd(accepted(), { ...facts, openSevereIncidents: 0 }, 7, DAY)!;
    expect(windowEnd(exited.next, { now: later(30), openSevereIncidents: 0 }, 7, DAY)).toBeNull();
  });

  it('lists every failing criterion before the end', () => {
    expect(failingCriteria(wentLive(), { now: later(1), openSevereIncidents: 1 })).toHaveLength(3);
    expect(failingCriteria(accepted(), { now: later(14), openSevereIncidents: 0 })).toEqual([]);
  });
});

describe('explicit decisions', () => {
  it('extends to a later end with a reason, by whom and when', () => {
    const o = extend(wentLive(), later(20), 'payment peak at month end', ams, later(5));
    expect(o).toMatchObject({
      ok: true,
      next: { state: 'extended', endsAt: later(20) },
      decision: { kind: 'extended', by: ams, at: later(5).toISOString(), endsAt: later(20).toISOString() },
    });
  });

  it('refuses an extension without a reason, to an earlier end, or after exit', () => {
    expect(extend(wentLive(), later(20), '', ams, later(5))).toMatchObject({ refusal: { field: 'reason' } });
    expect(extend(wentLive(), later(10), 'x', ams, later(5))).toMatchObject({ refusal: { field: 'endsAt' } });
    const exited = next(exitEarly(wentLive(), 'quiet release', ams, later(2)));
    expect(extend(exited, later(20), 'x', ams, later(5))).toMatchObject({ refusal: { field: 'state' } });
  });

  it('exits early with a reason, once', () => {
    const o = exitEarly(wentLive(), 'no incidents, AMS ready', ams, later(4));
    expect(o).toMatchObject({
      ok: true,
      next: { state: 'exited', exitedAt: later(4) },
      decision: { kind: 'exited_early' },
    });
    expect(exitEarly(next(o), 'again', ams, later(5))).toMatchObject({ refusal: { field: 'state' } });
    expect(exitEarly(wentLive(), ' ', ams, later(4))).toMatchObject({ refusal: { field: 'reason' } });
  });
});

describe('incidents linked to a release', () => {
  const routed = { priority: 'medium' as const, classOfService: 'standard' as const, labels: ['sla:gold'] };

  it('during hyper-care go to the owning stream, labelled hyper-care and expedited', () => {
    expect(routeLinkedIncident(wentLive(), routed)).toEqual({
      stream: 'development',
      priority: 'high',
      classOfService: 'expedite',
      labels: ['sla:gold', 'hyper-care'],
      hypercare: true,
    });
    expect(routeLinkedIncident(wentLive(), { ...routed, priority: 'critical' }).priority).toBe('critical');
  });

  it('after hyper-care (or without it) go to maintenance as routed', () => {
    const exited = next(exitEarly(wentLive(), 'done', ams, later(1)));
    for (const h of [exited, null])
      expect(routeLinkedIncident(h, { ...routed, labels: ['hyper-care', 'x'] })).toEqual({
        stream: 'maintenance',
        priority: 'medium',
        classOfService: 'standard',
        labels: ['x'],
        hypercare: false,
      });
  });

  it('finds the release a ticket names by a version label', () => {
    expect(releaseReference(['sla:gold', 'Release:2.4.0'], ['2.3.0', '2.4.0'])).toBe('2.4.0');
    expect(releaseReference(['version=2.3.0'], ['2.3.0'])).toBe('2.3.0');
    expect(releaseReference(['release:9.9.9', 'component:pay'], ['2.3.0'])).toBeNull();
  });
});

describe('the release an incident on a service belongs to', () => {
  const older = { id: 'a', services: ['Settlement', 'ledger'], liveAt: later(-30) };
  const newer = { id: 'b', services: ['settlement'], liveAt: later(-1) };
  it('is the most recently live release whose plan names the service', () => {
    expect(releaseForService('settlement', [older, newer])?.id).toBe('b');
    expect(releaseForService('LEDGER', [older, newer])?.id).toBe('a');
  });
  it('is none for an unnamed service or no service', () => {
    expect(releaseForService('payments', [older, newer])).toBeNull();
    expect(releaseForService(undefined, [older, newer])).toBeNull();
  });
});

describe('any sequence of decisions', () => {
  type Step =
    | { op: 'tick'; key: string; done: boolean }
    | { op: 'submit' | 'accept' }
    | { op: 'reject' | 'exitEarly'; reason: string }
    | { op: 'extend'; days: number }
    | { op: 'windowEnd'; severe: number };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({
      op: fc.constant('tick' as const),
      key: fc.constantFrom(...DEFAULT_CHECKLIST.map((i) => i.key), 'nope'),
      done: fc.boolean(),
    }),
    fc.record({ op: fc.constantFrom('submit' as const, 'accept' as const) }),
    fc.record({
      op: fc.constantFrom('reject' as const, 'exitEarly' as const),
      reason: fc.constantFrom('', 'why'),
    }),
    fc.record({ op: fc.constant('extend' as const), days: fc.integer({ min: -3, max: 10 }) }),
    fc.record({ op: fc.constant('windowEnd' as const), severe: fc.integer({ min: 0, max: 2 }) }),
  );

  it('never leaves exited, never un-accepts, never moves the end earlier, and exits only as the rules allow', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(step, fc.integer({ min: 0, max: 3 })), { maxLength: 40 }), (steps) => {
        let h = wentLive(5);
        let now = goLive;
        for (const [s, advance] of steps) {
          now = new Date(now.getTime() + advance * DAY);
          const before = h;
          let o: Outcome | null = null;
          switch (s.op) {
            case 'tick':
              o = tick(h, s.key, s.done, dev, now);
              break;
            case 'submit':
              o = submit(h, dev, now);
              break;
            case 'accept':
              o = accept(h, ams, now);
              break;
            case 'reject':
              o = reject(h, ams, now, s.reason);
              break;
            case 'exitEarly':
              o = exitEarly(h, s.reason, ams, now);
              break;
            case 'extend':
              o = extend(h, new Date(h.endsAt.getTime() + s.days * DAY), 'why', ams, now);
              break;
            case 'windowEnd': {
              const ended = windowEnd(h, { now, openSevereIncidents: s.severe }, 2, DAY);
              if (ended) {
                if (ended.next.state === 'exited') {
                  expect(h.handover).toBe('accepted');
                  expect(s.severe).toBe(0);
                }
                h = ended.next;
                // the same timer again does nothing
                expect(windowEnd(h, { now, openSevereIncidents: s.severe }, 2, DAY)).toBeNull();
              }
              break;
            }
          }
          if (o?.ok) h = o.next;
          if (before.state === 'exited') expect(h.state).toBe('exited');
          if (before.handover === 'accepted') expect(h.handover).toBe('accepted');
          expect(h.endsAt.getTime()).toBeGreaterThanOrEqual(before.endsAt.getTime());
        }
      }),
    );
  });
});
