import { describe, expect, it } from 'vitest';
import { markdownText, releaseNotesMarkdown } from './release-notes.ts';

describe('release notes from the scope', () => {
  it('groups the cards by kind, in reading order, each line KEY title, keys in numeric order', () => {
    const notes = releaseNotesMarkdown([
      { key: 'PAY-10', title: 'Refunds', type: 'story' },
      { key: 'PAY-12', title: 'Checkout crashes on Safari', type: 'defect_manual' },
      { key: 'PAY-2', title: 'Pay by card', type: 'enhancement' },
      { key: 'PAY-14', title: 'Payments down on Monday', type: 'incident' },
      { key: 'PAY-15', title: 'Release 1.2 stopped in test', type: 'defect_automated' },
      { key: 'PAY-16', title: 'Faster CI', type: 'improvement' },
    ]);
    expect(notes).toBe(
      [
        '## Features and stories',
        '',
        '- PAY-2 Pay by card',
        '- PAY-10 Refunds',
        '',
        '## Improvements',
        '',
        '- PAY-16 Faster CI',
        '',
        '## Defects fixed',
        '',
        '- PAY-12 Checkout crashes on Safari',
        '- PAY-15 Release 1.2 stopped in test',
        '',
        '## Incidents and problems resolved',
        '',
        '- PAY-14 Payments down on Monday',
        '',
      ].join('\n'),
    );
  });

  it('leaves out empty groups and says so when the scope is empty', () => {
    expect(releaseNotesMarkdown([{ key: 'OPS-1', title: 'Disk full', type: 'problem' }])).toBe(
      '## Incidents and problems resolved\n\n- OPS-1 Disk full\n',
    );
    expect(releaseNotesMarkdown([])).toContain('No cards');
  });

  it('escapes what Markdown would read as formatting, a link or HTML, and keeps each card on one line', () => {
    expect(markdownText('Fix <script>alert(1)</script> in *bold* [link](x)\nsecond line')).toBe(
      'Fix \\<script\\>alert(1)\\</script\\> in \\*bold\\* \\[link\\](x) second line',
    );
  });
});
