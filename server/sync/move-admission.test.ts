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
  headroomShare: 0.5,
  floodMemoryMs: 1000,
  targetLoopBusy: 0.8,
};

/** A board with nothing in flight on an idle server. */
const facts = (over: Partial<AdmissionFacts> = {}): AdmissionFacts => ({
  boardInFlight: 0,
  boardOldestWaitMs: 0,
  processInFlight: 0,
  eventLoopLagMs: 0,
  boardTokens: null,
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

  it('refuses a held board with no token left, even with nothing in flight, and admits it with one', () => {
    expect(decideAdmission(facts({ boardTokens: 0.4 }), limits)).toEqual({
      admit: false,
      reason: 'board_rate',
      retryAfterMs: 500,
    });
    expect(decideAdmission(facts({ boardTokens: 1 }), limits)).toEqual({ admit: true });
    // a token does not lift the queue bound
    expect(decideAdmission(facts({ boardTokens: 3, boardInFlight: 256 }), limits)).toMatchObject({
      reason: 'board_queue',
    });
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
    const a1 = admission.enter('A');
    now = 10;
    const a2 = admission.enter('A');
    expect([a1.admit, a2.admit]).toEqual([true, true]);
    expect(admission.enter('A')).toEqual({ admit: false, reason: 'board_queue', retryAfterMs: 500 });
    expect(admission.enter('B').admit).toBe(true); // another board is not held up
    if (a1.admit) {
      a1.release();
      a1.release(); // a second release changes nothing
    }
    expect(admission.enter('A').admit).toBe(true);
    expect(admission.enter('A').admit).toBe(false);
    expect(shed).toEqual(['board_queue', 'board_queue']);
  });

  it('measures the wait from the oldest move still in flight', () => {
    let now = 0;
    const admission = new MoveAdmission(
      { ...limits, busyBoardInFlight: 1, boardMaxWaitMs: 300 },
      () => {},
      () => now,
    );
    const first = admission.enter('A');
    now = 100;
    admission.enter('A');
    now = 320;
    expect(admission.enter('A')).toMatchObject({ admit: false, reason: 'board_wait' });
    if (first.admit) first.release();
    // the oldest left is 220 ms old
    expect(admission.enter('A').admit).toBe(true);
  });

  /** Board A completes a move every `everyMs` for `forMs` with up to `depth` in flight, from `now`. */
  function steady(admission: MoveAdmission, clock: { now: number }, everyMs: number, forMs: number) {
    const end = clock.now + forMs;
    while (clock.now < end) {
      const t = admission.enter('A');
      clock.now += everyMs;
      if (t.admit) t.release();
    }
  }

  it('holds a board that overflowed to a share of the rate it completed, until the flood ends', () => {
    const clock = { now: 0 };
    const shed: string[] = [];
    const admission = new MoveAdmission(
      { ...limits, busyBoardInFlight: 2, boardMaxInFlight: 3, headroomShare: 0.5, floodMemoryMs: 1000 },
      (r) => shed.push(r),
      () => clock.now,
      () => 0.85, // in the band: the held rate stays put
    );
    // 1 s of one move completed per 10 ms: it sustains 100/s.
    steady(admission, clock, 10, 1000);
    expect(shed).toEqual([]);
    // A burst overflows its queue: held from then on to 50/s, i.e. one move per 20 ms.
    const burst = [admission.enter('A'), admission.enter('A'), admission.enter('A')];
    expect(burst.map((t) => t.admit)).toEqual([true, true, true]);
    expect(admission.enter('A')).toMatchObject({ admit: false, reason: 'board_queue' });
    for (const t of burst) if (t.admit) t.release();
    // with nothing in flight, it is still held: no token yet
    expect(admission.enter('A')).toMatchObject({ admit: false, reason: 'board_rate' });
    clock.now += 21;
    const one = admission.enter('A');
    expect(one.admit).toBe(true);
    expect(admission.enter('A')).toMatchObject({ admit: false, reason: 'board_rate' });
    if (one.admit) one.release();
    // Offered 200/s for 1 s while held: about 50/s admitted.
    let admitted = 0;
    for (let i = 0; i < 200; i++) {
      clock.now += 5;
      const t = admission.enter('A');
      if (t.admit) {
        admitted++;
        t.release();
      }
    }
    expect(admitted).toBeGreaterThanOrEqual(48);
    expect(admitted).toBeLessThanOrEqual(52);
    // Another board is not held.
    expect(admission.enter('B').admit).toBe(true);
    // A second of quiet after its last refusal lets it go: a burst is admitted again.
    clock.now += 1001;
    expect([admission.enter('A'), admission.enter('A')].map((t) => t.admit)).toEqual([true, true]);
  });

  it('does not hold a board on less than half a second of history (the start of a flood is a ramp)', () => {
    const clock = { now: 0 };
    const admission = new MoveAdmission(
      { ...limits, busyBoardInFlight: 1, boardMaxInFlight: 1 },
      () => {},
      () => clock.now,
    );
    steady(admission, clock, 10, 300);
    const t = admission.enter('A');
    expect(admission.enter('A')).toMatchObject({ reason: 'board_queue' });
    if (t.admit) t.release();
    expect(admission.enter('A').admit).toBe(true);
  });

  it('forgets a board’s history once it has been idle for the rate window', () => {
    const clock = { now: 0 };
    const admission = new MoveAdmission(
      { ...limits, busyBoardInFlight: 1, boardMaxInFlight: 1 },
      () => {},
      () => clock.now,
    );
    steady(admission, clock, 10, 1000);
    clock.now += 1500;
    // a burst after the pause overflows without being held on the old rate
    const t = admission.enter('A');
    expect(admission.enter('A')).toMatchObject({ reason: 'board_queue' });
    if (t.admit) t.release();
    expect(admission.enter('A').admit).toBe(true);
  });

  it('raises a held board’s rate while the event loop has room and lowers it while it has none', () => {
    const clock = { now: 0 };
    let busy = 0.5;
    const admission = new MoveAdmission(
      { ...limits, busyBoardInFlight: 1, boardMaxInFlight: 1, headroomShare: 0.5 },
      () => {},
      () => clock.now,
      () => busy,
    );
    steady(admission, clock, 10, 1000); // 100/s, so held at 50/s
    const t = admission.enter('A');
    admission.enter('A'); // overflows: held
    if (t.admit) t.release();
    /** Offered 1,000/s for a second: how many are admitted. */
    const second = () => {
      let n = 0;
      for (let i = 0; i < 1000; i++) {
        clock.now += 1;
        const m = admission.enter('A');
        if (m.admit) {
          n++;
          m.release();
        }
      }
      return n;
    };
    const roomy = second(); // +5% per 100 ms from 50/s: 10 steps
    expect(roomy).toBeGreaterThan(60);
    busy = 0.95;
    second(); // back down from ~81/s to ~48/s
    const full = second(); // ~48/s down to ~29/s
    expect(full).toBeLessThan(45);
    expect(full).toBeGreaterThan(0);
  });
});
