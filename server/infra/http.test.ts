/** checkInput: the guard every request's params, query and body pass before validation. */
import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import { checkInput, loggedUrl, MAX_INPUT_DEPTH } from './http.ts';

const nested = (levels: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
};

function refusal(value: unknown, part = 'body'): { field?: unknown; message: string } | null {
  try {
    checkInput(value, part);
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    expect(e.code).toBe('VALIDATION_FAILED');
    return { field: e.details.field, message: e.message };
  }
}

describe('checkInput', () => {
  it('names the field that holds a NUL character, however deep', () => {
    expect(refusal({ title: 'Pay\u0000ment' })?.field).toBe('title');
    expect(refusal({ labels: ['ok', 'n\u0000'] })?.field).toBe('labels.1');
    expect(refusal({ config: { routing: { rules: [{ when: 'a\u0000' }] } } })?.field).toBe(
      'config.routing.rules.0.when',
    );
    expect(refusal({ 'ke\u0000y': 1 })?.field).toBe('ke\\u0000y');
    expect(refusal('text\u0000', 'query')?.field).toBe('query');
  });

  it(`takes ${MAX_INPUT_DEPTH} levels of nesting and refuses one more, naming the top field`, () => {
    expect(refusal(nested(MAX_INPUT_DEPTH))).toBeNull();
    expect(refusal({ config: nested(MAX_INPUT_DEPTH - 1) })).toBeNull();
    expect(refusal({ config: nested(MAX_INPUT_DEPTH) })).toEqual({
      field: 'config',
      message: `config: is nested deeper than ${MAX_INPUT_DEPTH} levels`,
    });
    expect(refusal({ config: nested(100_000) })?.field).toBe('config');
  });

  it('lets ordinary input, raw webhook bytes and non-text values through', () => {
    expect(refusal({ title: 'Payment fails', estimate: 3, labels: ['ci'], dueDate: null })).toBeNull();
    expect(refusal(Buffer.from('a\u0000b'))).toBeNull();
    expect(refusal(undefined)).toBeNull();
  });
});

describe('loggedUrl', () => {
  it('keeps a feed token in the query string out of the logs, and the rest of the URL as it was', () => {
    expect(loggedUrl('/api/boards/b/releases.ics?token=bbcal_secret&x=1')).toBe(
      '/api/boards/b/releases.ics?token=[redacted]&x=1',
    );
    expect(loggedUrl('/api/boards/b/releases.ics?x=1&TOKEN=s')).toBe(
      '/api/boards/b/releases.ics?x=1&TOKEN=[redacted]',
    );
    expect(loggedUrl('/api/boards/b/cards?after=3')).toBe('/api/boards/b/cards?after=3');
  });
});
