/**
 * The backlog as CSV, pure: exactly the cards given (the filtered list the user sees), in that
 * order, with the names people read (type, stream, column, sprint, assignee) instead of ids.
 */
import type { Card, Column, Sprint } from '../../../../protocol/model.ts';
import { isDoneCategory } from '../../../../protocol/rules/card-status.ts';
import { CARD_TYPE, PRIORITY, STREAM } from '../board/vocabulary.ts';
import { type CsvCell, toCsv } from './csv.ts';

export interface BacklogNames {
  columns: ReadonlyMap<string, Pick<Column, 'name' | 'category'>>;
  sprints: readonly Pick<Sprint, 'id' | 'name'>[];
  members: ReadonlyMap<string, string>;
}

export const BACKLOG_CSV_HEADER = [
  'Key',
  'Title',
  'Type',
  'Stream',
  'Status',
  'Column',
  'Sprint',
  'Estimate',
  'Priority',
  'Assignee',
  'Labels',
] as const;

export function backlogCsv(cards: readonly Card[], names: BacklogNames): string {
  const sprintNames = new Map(names.sprints.map((s) => [s.id, s.name]));
  const rows = cards.map((card): CsvCell[] => {
    const column = card.columnId ? names.columns.get(card.columnId) : undefined;
    return [
      card.key,
      card.title,
      CARD_TYPE[card.type].label,
      STREAM[card.stream],
      isDoneCategory(column?.category) ? 'Done' : 'Open',
      column?.name ?? 'Backlog',
      card.sprintId ? (sprintNames.get(card.sprintId) ?? '') : '',
      card.estimate,
      PRIORITY[card.priority].label,
      card.assigneeId ? (names.members.get(card.assigneeId) ?? '') : '',
      card.labels.join('; '),
    ];
  });
  return toCsv(BACKLOG_CSV_HEADER, rows);
}
