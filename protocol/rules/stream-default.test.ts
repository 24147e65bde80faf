import { describe, expect, it } from 'vitest';
import { CARD_TYPES } from '../model.ts';
import { defaultStream } from './stream-default.ts';

describe('the stream a new card starts in', () => {
  it('is maintenance for incidents, problems and service requests, development for the rest', () => {
    expect(Object.fromEntries(CARD_TYPES.map((t) => [t, defaultStream(t)]))).toEqual({
      story: 'development',
      enhancement: 'development',
      defect_automated: 'development',
      defect_manual: 'development',
      incident: 'maintenance',
      problem: 'maintenance',
      improvement: 'development',
      service_request: 'maintenance',
    });
  });
});
