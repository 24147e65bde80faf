import { describe, expect, it } from 'vitest';
import { orderedId } from './ordered-id.ts';

describe('ordered ids', () => {
  it('are valid version-7 UUIDs that sort in the order they were made, even within a millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => orderedId(1_795_000_000_000));
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(orderedId(1_795_000_000_500) > ids.at(-1)!).toBe(true);
  });
});
