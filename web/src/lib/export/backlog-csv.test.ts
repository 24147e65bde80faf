import { describe, expect, it } from 'vitest';
import { aCard, aColumn } from '../board/test-builders.ts';
import { backlogCsv } from './backlog-csv.ts';

const names = {
  columns: new Map([
    ['doing', aColumn({ id: 'doing', name: 'In progress', category: 'in_progress' as const })],
    ['done', aColumn({ id: 'done', name: 'Done', category: 'done' as const })],
  ]),
  sprints: [{ id: 's1', name: 'Sprint 1' }],
  members: new Map([['u1', 'Ada Lovelace']]),
};

describe('the backlog as CSV', () => {
  it('has one line per card given, in the given order, with names instead of ids', () => {
    const csv = backlogCsv(
      [
        aCard({
          id: '2',
          key: 'OPS-2',
          title: 'Pay, then ship',
          type: 'defect_manual',
          columnId: 'done',
          sprintId: 's1',
          estimate: 3,
          priority: 'high',
          assigneeId: 'u1',
          labels: ['ui', 'billing'],
        }),
        aCard({ id: '1', key: 'OPS-1', title: '=cmd|calc', stream: 'maintenance', type: 'incident' }),
      ],
      names,
    );
    expect(csv.split('\r\n')).toEqual([
      'Key,Title,Type,Stream,Status,Column,Sprint,Estimate,Priority,Assignee,Labels',
      'OPS-2,"Pay, then ship",Defect (manual test),Development,Done,Done,Sprint 1,3,High,Ada Lovelace,ui; billing',
      "OPS-1,'=cmd|calc,Incident,Maintenance,Open,Backlog,,,Medium,,",
      '',
    ]);
  });

  it('is only the header for an empty list', () => {
    expect(backlogCsv([], names)).toBe(
      'Key,Title,Type,Stream,Status,Column,Sprint,Estimate,Priority,Assignee,Labels\r\n',
    );
  });
});
