/**
 * Sprint planning on the client, as pure functions: which sprint is active, what each planned sprint
 * holds against its capacity, which selected cards may join a sprint (development work only, as on
 * the server), and sensible defaults for starting one.
 */

import type { Card, Column, Sprint } from '../../../../protocol/model.ts';
import { isCardDone } from '../../../../protocol/rules/card-status.ts';

export const activeSprint = (sprints: readonly Sprint[]): Sprint | undefined =>
  sprints.find((s) => s.state === 'active');

/** Planned sprints in the order they were created (the snapshot's order). */
export const plannedSprints = (sprints: readonly Sprint[]): Sprint[] =>
  sprints.filter((s) => s.state === 'planned');

/** The sprint whose numbers matter now: the active one, else the one completed last. */
export function currentOrLastSprint(sprints: readonly Sprint[]): Sprint | undefined {
  const active = activeSprint(sprints);
  if (active) return active;
  return sprints
    .filter((s) => s.state === 'completed')
    .sort((a, b) => ((a.completedAt ?? '') < (b.completedAt ?? '') ? 1 : -1))[0];
}

export const points = (cards: readonly Card[]): number =>
  cards.reduce((sum, c) => sum + (c.estimate ?? 0), 0);

export interface SprintLoad {
  cards: Card[];
  /** sum of the estimates of the cards planned into it */
  committed: number;
  /** cards without an estimate (they commit to nothing yet) */
  unestimated: number;
  capacity: number | null;
  /** committed as a share of capacity, 0..∞ (null without a capacity) */
  fill: number | null;
  over: boolean;
}

/** What each sprint holds, from the cards that name it, in backlog order. */
export function sprintLoads(sprints: readonly Sprint[], cards: readonly Card[]): Map<string, SprintLoad> {
  const bySprint = new Map<string, Card[]>(sprints.map((s) => [s.id, []]));
  for (const card of cards) if (card.sprintId) bySprint.get(card.sprintId)?.push(card);
  const loads = new Map<string, SprintLoad>();
  for (const sprint of sprints) {
    const held = bySprint.get(sprint.id) ?? [];
    const committed = points(held);
    const capacity = sprint.capacity;
    loads.set(sprint.id, {
      cards: held,
      committed,
      unestimated: held.filter((c) => c.estimate === null).length,
      capacity,
      fill: capacity ? committed / capacity : null,
      over: capacity !== null && committed > capacity,
    });
  }
  return loads;
}

/** Cards that may join a sprint (development stream) and the maintenance ones left out. */
export function splitForSprint(cards: readonly Card[]): { eligible: Card[]; leftOut: Card[] } {
  return {
    eligible: cards.filter((c) => c.stream === 'development'),
    leftOut: cards.filter((c) => c.stream !== 'development'),
  };
}

/** Progress of a running sprint: done by the shared rule (protocol/rules/card-status.ts), as the server decides at completion. */
export function sprintProgress(sprint: Sprint, cards: readonly Card[], columns: readonly Column[]) {
  const category = new Map(columns.map((c) => [c.id, c.category]));
  const held = cards.filter((c) => c.sprintId === sprint.id);
  const isDone = (c: Card) => isCardDone(c, (id) => category.get(id));
  const finished = held.filter(isDone);
  const unfinished = held.filter((c) => !isDone(c));
  return {
    committed: sprint.committedPoints ?? points(held),
    /** points in the sprint now (work added after the start counts here, not in committed) */
    scope: points(held),
    completed: points(finished),
    finished,
    unfinished,
  };
}

const isoDay = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** A two-week sprint from today (local dates, as the user reads a calendar). */
export function sprintDates(today: Date, lengthDays = 14): { startDate: string; endDate: string } {
  const end = new Date(today);
  end.setDate(end.getDate() + lengthDays - 1);
  return { startDate: isoDay(today), endDate: isoDay(end) };
}

/** "Sprint 4" after three sprints, whatever they were called. */
export const nextSprintName = (sprints: readonly Sprint[]): string => `Sprint ${sprints.length + 1}`;

/** Whole days from `today` to the sprint's end date, 0 on the last day, negative once it is over. */
export function daysLeft(endDate: string, today: Date): number {
  const end = new Date(`${endDate}T00:00:00`);
  const start = new Date(today.getFullYear(), today.getMonth(), today.getDate());
  return Math.round((end.getTime() - start.getTime()) / 86_400_000);
}

/** "3 May – 16 May" */
export function dateRange(startDate: string | null, endDate: string | null): string {
  if (!startDate || !endDate) return '';
  const fmt = (d: string) =>
    new Date(`${d}T00:00:00`).toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
  return `${fmt(startDate)} – ${fmt(endDate)}`;
}

/** The complete-sprint dialog's question: "1 unfinished card (3 points) goes to", "2 … go to". */
export function carryOverQuestion(cards: number, pts: number): string {
  const one = cards === 1;
  return `${cards} unfinished ${one ? 'card' : 'cards'} (${pts} ${pts === 1 ? 'point' : 'points'}) ${one ? 'goes' : 'go'} to`;
}
