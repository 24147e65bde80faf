/**
 * Opening a board in two answers (issue 19): a small first answer with what the first screen of
 * the view being opened shows, at one sequence number, then the whole board (GET /api/boards/:id),
 * which the client merges in. The first answer's size is bounded by the limits below, whatever the
 * size of the board.
 */
import { type Static, Type } from 'typebox';
import { CardSchema, SnapshotSchema } from './model.ts';

export const FIRST_SCREEN_VIEWS = ['backlog', 'sprint', 'kanban'] as const;
export type FirstScreenView = (typeof FIRST_SCREEN_VIEWS)[number];

/** The backlog's first cards in rank order: more than any screen shows at once. */
export const FIRST_BACKLOG_CARDS = 100;
/** Kanban and sprint board: each column's first cards in rank order. */
export const FIRST_COLUMN_CARDS = 30;
/** Kanban: the unblocked backlog cards per swimlane shown as "Up next" (column-board.ts shows 6). */
export const FIRST_UP_NEXT_CARDS = 6;

export const FirstScreenQuery = Type.Object({
  view: Type.Optional(
    Type.Enum([...FIRST_SCREEN_VIEWS], { description: 'the view being opened; default backlog' }),
  ),
});

const { cards: _allCards, ...boardParts } = SnapshotSchema.properties;

export const FirstScreenSchema = Type.Object({
  ...boardParts,
  view: Type.Enum([...FIRST_SCREEN_VIEWS]),
  cards: Type.Array(CardSchema, { description: 'what the first screen of the view shows, in rank order' }),
  totals: Type.Object({ cards: Type.Integer({ description: 'cards on the board at this sequence number' }) }),
  complete: Type.Boolean({ description: 'cards holds every card of the board: there is no rest to fetch' }),
});
export type FirstScreen = Static<typeof FirstScreenSchema>;
