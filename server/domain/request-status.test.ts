import { describe, expect, it } from 'vitest';
import { canRate, type RequestFacts, requestStatus } from './request-status.ts';

const waitingInBacklog: RequestFacts = { columnCategory: null, done: false, waitingOn: null, rated: false };
const facts = (over: Partial<RequestFacts>): RequestFacts => ({ ...waitingInBacklog, ...over });

describe('a request status as its requester reads it', () => {
  it('is open while the card waits in the backlog or a to-do column', () => {
    expect(requestStatus(waitingInBacklog)).toBe('open');
    expect(requestStatus(facts({ columnCategory: 'todo' }))).toBe('open');
  });
  it('is in progress once the team works on it, also while a third party holds it up', () => {
    expect(requestStatus(facts({ columnCategory: 'in_progress' }))).toBe('in_progress');
    expect(requestStatus(facts({ columnCategory: 'todo', waitingOn: 'third_party' }))).toBe('in_progress');
  });
  it('waits for the requester when the team waits on the customer', () => {
    expect(requestStatus(facts({ columnCategory: 'in_progress', waitingOn: 'customer' }))).toBe(
      'waiting_for_you',
    );
  });
  it('is resolved when done and closed once rated', () => {
    expect(requestStatus(facts({ columnCategory: 'done' }))).toBe('resolved');
    expect(requestStatus(facts({ columnCategory: 'done', rated: true }))).toBe('closed');
    expect(requestStatus(facts({ columnCategory: null, done: true }))).toBe('resolved');
  });
  it('may be rated only when resolved', () => {
    expect(canRate('resolved')).toBe(true);
    for (const s of ['open', 'in_progress', 'waiting_for_you', 'closed'] as const)
      expect(canRate(s)).toBe(false);
  });
});
