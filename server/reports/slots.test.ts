import { describe, expect, it } from 'vitest';
import { ReportSlots } from './slots.ts';

/** A piece of work that runs until the test lets it finish. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe('report slots', () => {
  it('runs at most `size` reports at once, the rest in the order they came, and frees a slot when one fails', async () => {
    const slots = new ReportSlots(2);
    const started: number[] = [];
    const gates = [gate(), gate(), gate(), gate()];
    const runs = gates.map((g, i) =>
      slots.run(async () => {
        started.push(i);
        await g.opened;
        if (i === 0) throw new Error('report failed');
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);

    gates[0]!.open();
    await expect(runs[0]).rejects.toThrow('report failed');
    expect(started).toEqual([0, 1, 2]);

    gates[1]!.open();
    gates[2]!.open();
    gates[3]!.open();
    expect(await Promise.all(runs.slice(1))).toEqual([1, 2, 3]);
    expect(started).toEqual([0, 1, 2, 3]);
  });
});
