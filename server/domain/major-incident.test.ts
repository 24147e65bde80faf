import { describe, expect, it } from 'vitest';
import type { BoardEvent } from '../../protocol/events.ts';
import { buildTimeline, escapeMarkdown, majorIncidentReport, type ReportInput } from './major-incident.ts';

const INCIDENT = '00000000-0000-4000-8000-000000000001';
const PROBLEM = '00000000-0000-4000-8000-000000000002';
const DOING = '00000000-0000-4000-8000-0000000000c1';
const actor = { id: null, label: 'Ann' };
const at = (m: number) => `2026-12-04T03:${String(m).padStart(2, '0')}:00.000Z`;

function commented(seq: number, cardId: string, body: string): BoardEvent {
  return {
    type: 'card.commented',
    boardId: '00000000-0000-4000-8000-0000000000b0',
    seq,
    cardId,
    actor,
    at: at(seq),
    payload: {
      comment: {
        id: `00000000-0000-4000-8000-00000000010${seq}`,
        cardId,
        author: 'Ann',
        body,
        createdAt: at(seq),
      },
    },
  };
}
function linked(seq: number): BoardEvent {
  return {
    type: 'card.linked',
    boardId: '00000000-0000-4000-8000-0000000000b0',
    seq,
    cardId: PROBLEM,
    actor,
    at: at(seq),
    payload: { cardId: PROBLEM, linkedCardId: INCIDENT, linkedKey: 'OPS-1', kind: 'problem_for' },
  };
}

describe('the timeline of a major incident', () => {
  const keys = new Map([
    [INCIDENT, 'OPS-1'],
    [PROBLEM, 'OPS-2'],
  ]);

  it('puts the events of the incident and its linked cards in board order, named by card', () => {
    const t = buildTimeline(
      [commented(5, INCIDENT, 'Rolled back'), linked(3), commented(1, INCIDENT, 'Paged  the\nlead')],
      keys,
      new Map([[DOING, 'In progress']]),
    );
    expect(t.map((e) => [e.seq, e.cardKey, e.text])).toEqual([
      [1, 'OPS-1', 'commented: Paged the lead'],
      [3, 'OPS-2', 'linked problem_for OPS-1'],
      [5, 'OPS-1', 'commented: Rolled back'],
    ]);
  });
});

describe('the major-incident report', () => {
  const input: ReportInput = {
    incident: {
      key: 'OPS-1',
      title: 'Payments *down*',
      priority: 'critical',
      description: 'Card payments fail',
      createdAt: at(0),
      doneAt: null,
    },
    major: {
      declaredAt: at(2),
      impact: 'No payments for 40 minutes',
      actions: 'Alert on expiry\n\n  Re-enable renewal  ',
      reviewNotes: 'Renewal was off',
      runbookChangeUrl: 'https://git.example.com/runbooks/pull/42',
    },
    problems: [
      {
        key: 'OPS-2',
        title: 'Expired cert',
        status: 'known_error',
        rootCause: 'Job off',
        workaround: 'Renew by hand',
      },
    ],
    timeline: [
      {
        seq: 1,
        at: at(1),
        cardId: INCIDENT,
        cardKey: 'OPS-1',
        actor: 'Ann',
        type: 'card.commented',
        text: 'commented: paged',
      },
    ],
    generatedAt: at(9),
  };

  it('has every section, in order', () => {
    const md = majorIncidentReport(input);
    const headings = md.split('\n').filter((l) => l.startsWith('#'));
    expect(headings).toEqual([
      '# Major incident report: OPS-1 Payments \\*down\\*',
      '## Summary',
      '## Impact',
      '## Timeline',
      '## Problem',
      '### OPS-2 Expired cert (known error)',
      '## Actions',
      '## Post-incident review',
    ]);
    expect(md).toContain('- Resolved: not yet');
    expect(md).toContain('- [ ] Alert on expiry\n- [ ] Re\\-enable renewal\n');
    expect(md).toContain('**Workaround**\n\nRenew by hand');
    expect(md).toContain('Runbook change: <https://git.example.com/runbooks/pull/42>');
  });

  it('says what is missing rather than leaving a section empty', () => {
    const md = majorIncidentReport({
      ...input,
      major: { declaredAt: null, impact: '', actions: '', reviewNotes: '', runbookChangeUrl: null },
      problems: [],
      timeline: [],
    });
    expect(md).toContain('No problem is linked.');
    expect(md).toContain('Runbook change: none recorded');
    expect(md).toContain('- Declared major: not declared');
  });

  it('makes typed text inert: no HTML, links or emphasis from what people wrote', () => {
    expect(escapeMarkdown('<script>[x](javascript:y) **b** # h | t')).toBe(
      '\\<script\\>\\[x\\]\\(javascript:y\\) \\*\\*b\\*\\* \\# h \\| t',
    );
  });
});
