import { describe, expect, it } from 'vitest';
import {
  type CardBeforeMove,
  type ColumnFacts,
  type MoveFacts,
  planMove,
  refuseSprintOutsideDevelopment,
} from './card-move.ts';
import { compareRanks, rankBetween } from './rank.ts';

const now = new Date('2026-11-22T10:00:00Z');
const SPRINT = 'sprint-active';

const card = (over: Partial<CardBeforeMove> = {}): CardBeforeMove => ({
  id: 'card-1',
  key: 'PAY-1',
  stream: 'maintenance',
  columnId: null,
  sprintId: null,
  rank: rankBetween(null, null),
  classOfService: 'standard',
  startedAt: null,
  doneAt: null,
  ...over,
});

const column = (over: Partial<ColumnFacts> = {}): ColumnFacts => ({
  id: 'col-doing',
  name: 'Doing',
  stream: 'maintenance',
  category: 'in_progress',
  wipLimit: null,
  wipPolicy: 'hard',
  expediteExempt: true,
  ...over,
});

const facts = (over: Partial<MoveFacts> = {}): MoveFacts => ({
  card: card(),
  column: null,
  targetSprintState: null,
  activeSprintId: SPRINT,
  anchor: null,
  ...over,
});

describe('planning a card move', () => {
  it('places the card right after its anchor, before the anchor’s global neighbour', () => {
    const anchor = rankBetween(null, null);
    const neighbour = rankBetween(anchor, null);
    const d = planMove(facts({ anchor: { anchor, neighbour } }), { afterId: 'card-2' }, now);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(compareRanks(anchor, d.plan.rank)).toBe(-1);
    expect(compareRanks(d.plan.rank, neighbour)).toBe(-1);
  });

  it('places the card right before its anchor when dropped above it', () => {
    const anchor = rankBetween(null, null);
    const d = planMove(facts({ anchor: { anchor, neighbour: null } }), { beforeId: 'card-2' }, now);
    expect(d.ok && compareRanks(d.plan.rank, anchor)).toBe(-1);
  });

  it('refuses an anchor that is not on the board, naming the field', () => {
    expect(planMove(facts({ anchor: 'missing' }), { beforeId: 'gone' }, now)).toEqual({
      ok: false,
      refusal: { field: 'beforeId', message: 'no such card on this board' },
    });
  });

  it('refuses placing a card next to itself', () => {
    const d = planMove(facts(), { afterId: 'card-1' }, now);
    expect(!d.ok && d.refusal.field).toBe('afterId');
  });

  it('starts the flow clock when the card enters an in-progress column, and asks for a WIP count', () => {
    const doing = column({ wipLimit: 2 });
    const d = planMove(facts({ column: doing }), { columnId: doing.id }, now);
    expect(d.ok && d.plan.startedAt).toEqual(now);
    expect(d.ok && d.plan.wipCheck?.id).toBe(doing.id);
  });

  it('asks for no WIP count when the card stays in its column or the column has no limit', () => {
    const doing = column({ wipLimit: 2 });
    const staying = planMove(facts({ card: card({ columnId: doing.id }), column: doing }), {}, now);
    expect(staying.ok && staying.plan.wipCheck).toBeNull();
    const open = planMove(facts({ column: column() }), { columnId: 'col-doing' }, now);
    expect(open.ok && open.plan.wipCheck).toBeNull();
  });

  it('refuses a column of the other stream, naming both streams', () => {
    const devColumn = column({ stream: 'development', name: 'Review' });
    const d = planMove(facts({ column: devColumn }), { columnId: devColumn.id }, now);
    expect(d).toEqual({
      ok: false,
      refusal: {
        field: 'columnId',
        message: 'column "Review" belongs to the development stream, the card to maintenance',
      },
    });
  });

  it('refuses a column that is not on the board', () => {
    const d = planMove(facts({ column: 'missing' }), { columnId: 'nowhere' }, now);
    expect(!d.ok && d.refusal).toEqual({ field: 'columnId', message: 'no such column on this board' });
  });

  it('hands a card over to the other stream: out of its column, out of any sprint', () => {
    const d = planMove(
      facts({ card: card({ stream: 'development', columnId: 'col-dev', sprintId: SPRINT }) }),
      { stream: 'maintenance' },
      now,
    );
    expect(d.ok && d.plan).toMatchObject({
      stream: 'maintenance',
      columnId: null,
      sprintId: null,
      changesStream: true,
    });
  });

  it('refuses a completed sprint or one not on the board', () => {
    const done = planMove(
      facts({ card: card({ stream: 'development' }), targetSprintState: 'completed' }),
      { sprintId: 's' },
      now,
    );
    expect(!done.ok && done.refusal).toEqual({
      field: 'sprintId',
      message: 'the sprint is already completed',
    });
    const missing = planMove(
      facts({ card: card({ stream: 'development' }), targetSprintState: 'missing' }),
      { sprintId: 's' },
      now,
    );
    expect(!missing.ok && missing.refusal.field).toBe('sprintId');
  });

  it('refuses a sprint for a maintenance card, naming the card, as a bulk move does', () => {
    const refusal = { field: 'sprintId', message: 'only development cards join sprints: PAY-1' };
    const d = planMove(facts({ targetSprintState: 'active' }), { sprintId: SPRINT }, now);
    expect(d).toEqual({ ok: false, refusal });
    expect(refuseSprintOutsideDevelopment([card()], { sprintId: SPRINT })).toEqual(refusal);
  });

  it('refuses a sprint for a card being handed over to maintenance, and takes it out of none', () => {
    const dev = card({ stream: 'development', sprintId: SPRINT });
    const d = planMove(
      facts({ card: dev, targetSprintState: 'active' }),
      { stream: 'maintenance', sprintId: SPRINT },
      now,
    );
    expect(!d.ok && d.refusal.field).toBe('sprintId');
    const out = planMove(facts({ card: card() }), { sprintId: null }, now);
    expect(out.ok && out.plan.sprintId).toBeNull();
  });

  it('names every card of another stream in a bulk move into a sprint', () => {
    const cards = [
      { key: 'PAY-1', stream: 'maintenance' as const },
      { key: 'PAY-2', stream: 'development' as const },
      { key: 'PAY-3', stream: 'maintenance' as const },
    ];
    expect(refuseSprintOutsideDevelopment(cards, { sprintId: SPRINT })?.message).toBe(
      'only development cards join sprints: PAY-1, PAY-3',
    );
    expect(refuseSprintOutsideDevelopment(cards, { sprintId: SPRINT, stream: 'development' })).toBeNull();
    expect(refuseSprintOutsideDevelopment(cards, { sprintId: null })).toBeNull();
  });

  describe('the development stream’s columns are the active sprint’s board', () => {
    const review = column({
      id: 'col-review',
      stream: 'development',
      name: 'Review',
      category: 'in_progress',
    });

    it('lets a card of the active sprint onto the sprint board', () => {
      const d = planMove(
        facts({ card: card({ stream: 'development', sprintId: SPRINT }), column: review }),
        { columnId: review.id },
        now,
      );
      expect(d.ok && d.plan.columnId).toBe(review.id);
    });

    it('refuses a backlog card onto the sprint board, saying to add it to the sprint', () => {
      const d = planMove(
        facts({ card: card({ stream: 'development' }), column: review }),
        { columnId: review.id },
        now,
      );
      expect(!d.ok && d.refusal.field).toBe('columnId');
      expect(!d.ok && d.refusal.message).toMatch(/add the card to the sprint first/);
    });

    it('refuses it with a different reason when no sprint is active', () => {
      const d = planMove(
        facts({ card: card({ stream: 'development' }), column: review, activeSprintId: null }),
        { columnId: review.id },
        now,
      );
      expect(!d.ok && d.refusal.message).toMatch(/no sprint is active/);
    });

    it('accepts adding the card to the active sprint and placing it on the board in one move', () => {
      const d = planMove(
        facts({ card: card({ stream: 'development' }), column: review, targetSprintState: 'active' }),
        { columnId: review.id, sprintId: SPRINT },
        now,
      );
      expect(d.ok && d.plan).toMatchObject({ columnId: review.id, sprintId: SPRINT });
    });

    it('takes a card taken out of the active sprint off the sprint board', () => {
      const d = planMove(
        facts({
          card: card({ stream: 'development', sprintId: SPRINT, columnId: review.id, startedAt: now }),
          column: review,
        }),
        { sprintId: null },
        now,
      );
      expect(d.ok && d.plan).toMatchObject({ columnId: null, sprintId: null, wipCheck: null });
    });
  });
});
