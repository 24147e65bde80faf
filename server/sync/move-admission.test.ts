import { describe, expect, it } from 'vitest';
import {
  type AdmissionFacts,
  decideAdmission,
  MOVE_ADMISSION_LIMITS,
  MoveAdmission,
} from './move-admission.ts';

const limits = {
  busyBoardInFlight: 16,
  boardMaxInFlight: 256,
  boardMaxWaitMs: 300,
  processMaxInFlight: 1024,
  maxEventLoopLagMs: 50,
  movesPerSecond: 100,
  moveBurst: 200,
};

/** A board with nothing in flight on an idle server. */
const facts = (over: Partial<AdmissionFacts> = {}): AdmissionFacts => ({
  boardInFlight: 0,
  boardOldestWaitMs: 0,
  processInFlight: 0,
  eventLoopLagMs: 0,
  allowance: 200,
  ...over,
});

describe('admitting a card move', () => {
  it('admits a move on an idle board', () => {
    expect(decideAdmission(facts(), limits)).toEqual({ admit: true });
  });

  it('admits a quiet board’s move even when the event loop is late and its one move waited long', () => {
    const quiet = facts({
      boardInFlight: 15,
      boardOldestWaitMs: 2000,
      eventLoopLagMs: 400,
      processInFlight: 900,
    });
    expect(decideAdmission(quiet, limits)).toEqual({ admit: true });
  });

  it('refuses a busy board at its queue bound, with a retry hint of about twice the wait', () => {
    const full = facts({ boardInFlight: 256, boardOldestWaitMs: 120, processInFlight: 256 });
    expect(decideAdmission(full, limits)).toEqual({ admit: false, reason: 'board_queue', retryAfterMs: 500 });
    expect(decideAdmission({ ...full, boardOldestWaitMs: 280 }, limits)).toMatchObject({ retryAfterMs: 600 });
    expect(decideAdmission({ ...full, boardInFlight: 255 }, limits)).toEqual({ admit: true });
  });

  it('refuses a busy board whose oldest move has waited too long', () => {
    expect(decideAdmission(facts({ boardInFlight: 40, boardOldestWaitMs: 300 }), limits)).toEqual({
      admit: false,
      reason: 'board_wait',
      retryAfterMs: 600,
    });
    expect(decideAdmission(facts({ boardInFlight: 40, boardOldestWaitMs: 299 }), limits)).toEqual({
      admit: true,
    });
  });

  it('refuses a busy board while the event loop runs late', () => {
    expect(decideAdmission(facts({ boardInFlight: 40, eventLoopLagMs: 80 }), limits)).toEqual({
      admit: false,
      reason: 'event_loop',
      retryAfterMs: 500,
    });
  });

  it('refuses every board at the process bound, quiet ones too', () => {
    expect(decideAdmission(facts({ processInFlight: 1024 }), limits)).toMatchObject({
      admit: false,
      reason: 'process_queue',
    });
  });

  it('refuses a mover past their allowance, on a quiet board too, with a hint of when a move is allowed again', () => {
    expect(decideAdmission(facts({ allowance: 0.2 }), limits)).toEqual({
      admit: false,
      reason: 'person_rate',
      retryAfterMs: 500, // 8 ms to refill, but never sooner than half a second
    });
    expect(decideAdmission(facts({ allowance: -90 }), { ...limits, movesPerSecond: 10 })).toEqual({
      admit: false,
      reason: 'person_rate',
      retryAfterMs: 5000, // 9.1 s to refill: capped at 5 s
    });
    expect(decideAdmission(facts({ allowance: 1 }), limits)).toEqual({ admit: true });
  });

  it('never asks for a retry later than 5 s', () => {
    const stuck = facts({ boardInFlight: 300, boardOldestWaitMs: 60_000 });
    expect(decideAdmission(stuck, limits)).toMatchObject({ retryAfterMs: 5000 });
  });

  it('keeps one board alone from reaching the process bound', () => {
    expect(MOVE_ADMISSION_LIMITS.boardMaxInFlight).toBeLessThan(MOVE_ADMISSION_LIMITS.processMaxInFlight);
  });
});

describe('counting moves in flight', () => {
  it('holds a ticket per admitted move until it is released, per board, and tells each refusal', () => {
    let now = 0;
    const shed: string[] = [];
    const admission = new MoveAdmission(
      { ...limits, busyBoardInFlight: 1, boardMaxInFlight: 2 },
      (r) => shed.push(r),
      () => now,
    );
    const a1 = admission.enter('A', 'ann');
    now = 10;
    const a2 = admission.enter('A', 'ann');
    expect([a1.admit, a2.admit]).toEqual([true, true]);
    expect(admission.enter('A', 'ann')).toEqual({ admit: false, reason: 'board_queue', retryAfterMs: 500 });
    expect(admission.enter('B', 'ann').admit).toBe(true); // another board is not held up
    if (a1.admit) {
      a1.release();
      a1.release(); // a second release changes nothing
    }
    expect(admission.enter('A', 'ann').admit).toBe(true);
    expect(admission.enter('A', 'ann').admit).toBe(false);
    expect(shed).toEqual(['board_queue', 'board_queue']);
  });

  it('lets a mover take their burst at once, then their rate, refilling with time; other boards keep theirs', () => {
    let now = 0;
    const shed: string[] = [];
    const admission = new MoveAdmission(
      { ...limits, movesPerSecond: 10, moveBurst: 20 },
      (r) => shed.push(r),
      () => now,
    );
    const burst = Array.from({ length: 25 }, () => admission.enter('A', 'ann'));
    for (const t of burst) if (t.admit) t.release(); // answered at once: in flight is not what limits
    expect(burst.filter((t) => t.admit)).toHaveLength(20);
    expect(burst.at(-1)).toMatchObject({ admit: false, reason: 'person_rate' });
    expect(admission.enter('B', 'ann').admit).toBe(true);
    // A refused move spends nothing: a tenth of a second later there is one move's worth again.
    now = 100;
    const refilled = admission.enter('A', 'ann');
    expect(refilled.admit).toBe(true);
    if (refilled.admit) refilled.release();
    expect(admission.enter('A', 'ann').admit).toBe(false);
    // After two idle seconds the whole burst is back, and no more than that.
    now = 2100 + 10_000;
    const again = Array.from({ length: 21 }, () => admission.enter('A', 'ann'));
    expect(again.filter((t) => t.admit)).toHaveLength(20);
    expect(new Set(shed)).toEqual(new Set(['person_rate']));
  });

  it('keeps an allowance per person on each board: one mover past theirs holds up no one else', () => {
    const now = 0;
    const admission = new MoveAdmission(
      { ...limits, movesPerSecond: 1, moveBurst: 2 },
      () => {},
      () => now,
    );
    const spend = (board: string, who: string) => {
      const t = admission.enter(board, who);
      if (t.admit) t.release();
      return t.admit;
    };
    expect([spend('A', 'ann'), spend('A', 'ann'), spend('A', 'ann')]).toEqual([true, true, false]);
    expect([spend('A', 'bob'), spend('A', 'bob')]).toEqual([true, true]);
    expect(spend('B', 'ann')).toBe(true);
  });

  it('forgets allowances that have refilled, so past movers cost no memory', () => {
    let now = 0;
    const admission = new MoveAdmission(
      { ...limits, movesPerSecond: 1, moveBurst: 2 },
      () => {},
      () => now,
    );
    for (let i = 0; i < 3000; i++) {
      now += 1000; // each is spent once, a second apart: the earliest have long refilled
      admission.enter(`board-${i}`, 'ann');
    }
    const remembered = (admission as unknown as { allowances: Map<string, unknown> }).allowances.size;
    expect(remembered).toBeLessThanOrEqual(2048);
    expect(remembered).toBeGreaterThan(0);
  });

  it('measures the wait from the oldest move still in flight', () => {
    let now = 0;
    const admission = new MoveAdmission(
      { ...limits, busyBoardInFlight: 1, boardMaxWaitMs: 300 },
      () => {},
      () => now,
    );
    const first = admission.enter('A', 'ann');
    now = 100;
    admission.enter('A', 'ann');
    now = 320;
    expect(admission.enter('A', 'ann')).toMatchObject({ admit: false, reason: 'board_wait' });
    if (first.admit) first.release();
    // the oldest left is 220 ms old
    expect(admission.enter('A', 'ann').admit).toBe(true);
  });
});
