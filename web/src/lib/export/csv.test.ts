import { describe, expect, it } from 'vitest';
import { csvCell, fileSlug, toCsv } from './csv.ts';

describe('a CSV cell', () => {
  it('is plain text when nothing needs quoting', () => {
    expect(csvCell('Login fails')).toBe('Login fails');
    expect(csvCell(3.5)).toBe('3.5');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });

  it('is quoted, with quotes doubled, when it holds a comma, a quote or a line break', () => {
    expect(csvCell('a, b')).toBe('"a, b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"');
    expect(csvCell(' padded ')).toBe('" padded "');
  });

  it('never starts with a formula character: = + - @ tab and CR get an apostrophe first', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('writes numbers as numbers, not as guarded text', () => {
    expect(csvCell(-1)).toBe('-1');
    expect(csvCell(Number.NaN)).toBe('');
  });
});

describe('a CSV table', () => {
  it('has a header and one CRLF-ended line per row', () => {
    expect(
      toCsv(
        ['Key', 'Title'],
        [
          ['A-1', 'One, two'],
          ['A-2', null],
        ],
      ),
    ).toBe('Key,Title\r\nA-1,"One, two"\r\nA-2,\r\n');
  });

  it('names files with plain words', () => {
    expect(fileSlug('OPS backlog 2026-12-04')).toBe('ops-backlog-2026-12-04');
    expect(fileSlug('***')).toBe('export');
  });
});
