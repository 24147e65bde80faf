import { describe, expect, it } from 'vitest';
import type { Release } from '../../../../protocol/releases.ts';
import { checksOf, draftOf, editOf, moved } from './release-edit.ts';

const release = {
  version: '2.4.0',
  targetDate: '2026-12-10',
  changeWindow: 'Sat 02:00–03:00',
  userActions: 'Sign in again.',
  notes: '## Features',
  tag: 'v2.4.0',
  commit: null,
  shadowUrl: null,
  revision: 7,
} as Release;

describe('editOf', () => {
  it('sends nothing when nothing changed', () => {
    expect(editOf(release, draftOf(release))).toBeNull();
  });
  it('sends only what changed, with the revision it was edited on', () => {
    const d = { ...draftOf(release), userActions: 'Clear the cache.', targetDate: '' };
    expect(editOf(release, d)).toEqual({ userActions: 'Clear the cache.', targetDate: null, revision: 7 });
  });
  it('trims the version and the window', () => {
    const d = { ...draftOf(release), version: ' 2.4.1 ', changeWindow: ' Sun ' };
    expect(editOf(release, d)).toEqual({ version: '2.4.1', changeWindow: 'Sun', revision: 7 });
  });
});

describe('editOf: tag, commit and shadow URL', () => {
  it('sends a changed tag, a lower-cased commit and a shadow URL; emptied, a field is cleared', () => {
    const d = {
      ...draftOf(release),
      tag: ' ',
      commit: ' ABCDEF0 ',
      shadowUrl: 'https://shadow.example.com ',
    };
    expect(editOf(release, d)).toEqual({
      tag: null,
      commit: 'abcdef0',
      shadowUrl: 'https://shadow.example.com',
      revision: 7,
    });
  });
});

describe('moved', () => {
  it('swaps with the neighbour', () => {
    expect(moved(['a', 'b', 'c'], 1, -1)).toEqual(['b', 'a', 'c']);
    expect(moved(['a', 'b', 'c'], 1, 1)).toEqual(['a', 'c', 'b']);
  });
  it('leaves the ends alone', () => {
    expect(moved(['a', 'b'], 0, -1)).toEqual(['a', 'b']);
    expect(moved(['a', 'b'], 1, 1)).toEqual(['a', 'b']);
  });
});

it('checksOf takes one check a line, blank lines dropped', () => {
  expect(checksOf(' smoke \n\nperf\n')).toEqual(['smoke', 'perf']);
});
