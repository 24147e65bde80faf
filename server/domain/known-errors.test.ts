import { describe, expect, it } from 'vitest';
import {
  type IncidentFacts,
  type KnownErrorFacts,
  linkAsSeenFrom,
  matchKnownError,
  problemOfLink,
  searchQuery,
  storedLink,
} from './known-errors.ts';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';

describe('a link between two cards is stored once', () => {
  it('keeps a stored kind in the direction it was made', () => {
    expect(storedLink(A, B, 'caused_by')).toEqual({ from: A, to: B, kind: 'caused_by' });
  });

  it('turns an inverse kind round', () => {
    expect(storedLink(A, B, 'causes')).toEqual({ from: B, to: A, kind: 'caused_by' });
    expect(storedLink(B, A, 'fixed_by')).toEqual({ from: A, to: B, kind: 'fixes' });
    expect(storedLink(A, B, 'has_problem')).toEqual({ from: B, to: A, kind: 'problem_for' });
  });

  it('keeps a symmetric link from the smaller id, so both sides make the same row', () => {
    expect(storedLink(B, A, 'relates_to')).toEqual(storedLink(A, B, 'relates_to'));
  });

  it('reads a link from either side', () => {
    expect(linkAsSeenFrom(A, { cardId: A, kind: 'caused_by' })).toBe('caused_by');
    expect(linkAsSeenFrom(B, { cardId: A, kind: 'caused_by' })).toBe('causes');
    expect(linkAsSeenFrom(B, { cardId: A, kind: 'problem_for' })).toBe('has_problem');
  });

  it('knows which side is the problem of an incident', () => {
    expect(problemOfLink(storedLink(A, B, 'has_problem'), { from: 'problem', to: 'incident' })).toEqual({
      problemId: B,
      incidentId: A,
    });
    expect(problemOfLink({ from: A, to: B, kind: 'caused_by' }, { from: 'incident', to: 'problem' })).toEqual(
      { problemId: B, incidentId: A },
    );
    expect(
      problemOfLink({ from: A, to: B, kind: 'relates_to' }, { from: 'incident', to: 'problem' }),
    ).toBeNull();
    expect(problemOfLink({ from: A, to: B, kind: 'caused_by' }, { from: 'story', to: 'problem' })).toBeNull();
  });
});

describe('an incident matches a known error', () => {
  const incident = (over: Partial<IncidentFacts> = {}): IncidentFacts => ({
    fingerprint: 'c6ea01',
    service: 'checkout',
    linkedCardIds: new Set(),
    ...over,
  });
  const knownError = (over: Partial<KnownErrorFacts> = {}): KnownErrorFacts => ({
    cardId: B,
    status: 'known_error',
    signature: '',
    fingerprint: null,
    ...over,
  });

  it('when linked with it', () => {
    expect(matchKnownError(incident({ linkedCardIds: new Set([B]) }), knownError())).toBe('linked');
  });

  it('when the problem was raised for the same alert fingerprint', () => {
    expect(matchKnownError(incident(), knownError({ fingerprint: 'C6EA01' }))).toBe('fingerprint');
  });

  it('when the signature is its fingerprint or its service', () => {
    expect(matchKnownError(incident(), knownError({ signature: ' c6ea01 ' }))).toBe('signature');
    expect(matchKnownError(incident(), knownError({ signature: 'service:checkout' }))).toBe('signature');
  });

  it('never while the problem is not a known error', () => {
    for (const status of ['none', 'investigating', 'resolved'] as const)
      expect(matchKnownError(incident({ linkedCardIds: new Set([B]) }), knownError({ status }))).toBeNull();
  });

  it('not on an empty signature, another service, or an incident with no alert', () => {
    expect(matchKnownError(incident(), knownError({ signature: 'service:search' }))).toBeNull();
    expect(
      matchKnownError(incident({ fingerprint: null, service: null }), knownError({ signature: '' })),
    ).toBeNull();
  });
});

describe('searching the known-error database', () => {
  it('asks for every word as a prefix', () => {
    expect(searchQuery('Checkout latency')).toBe('checkout:* & latency:*');
  });

  it('drops punctuation that could break a tsquery, and repeats', () => {
    expect(searchQuery("pool ' & | ! :* (pool)")).toBe('pool:*');
  });

  it('keeps letters of any script', () => {
    expect(searchQuery('Zeitüberschreitung')).toBe('zeitüberschreitung:*');
  });

  it('is nothing for blank or punctuation-only input', () => {
    expect(searchQuery(undefined)).toBeNull();
    expect(searchQuery('  !& ')).toBeNull();
  });

  it('bounds the number of terms', () => {
    expect(searchQuery('a b c d e f g h i j k')?.split('&')).toHaveLength(8);
  });
});
