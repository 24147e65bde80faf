import { describe, expect, it } from 'vitest';
import { BoardSlots } from './board-slots.ts';

/** Work we finish by hand, recording when it started. */
function gate(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  return {
    work: async () => {
      log.push(`start ${name}`);
      await done;
      return name;
    },
    finish,
  };
}
const settle = () => new Promise((r) => setImmediate(r));

describe('BoardSlots', () => {
  it('runs at most the bound per board at once, the rest in arrival order, other boards unhindered', async () => {
    const slots = new BoardSlots(2);
    const log: string[] = [];
    const [a1, a2, a3, a4, b1] = ['a1', 'a2', 'a3', 'a4', 'b1'].map((n) => gate(log, n));
    const results = [
      slots.run('A', a1!.work),
      slots.run('A', a2!.work),
      slots.run('A', a3!.work),
      slots.run('A', a4!.work),
      slots.run('B', b1!.work),
    ];
    await settle();
    expect(log).toEqual(['start a1', 'start a2', 'start b1']);
    a2!.finish();
    await settle();
    expect(log).toEqual(['start a1', 'start a2', 'start b1', 'start a3']);
    a1!.finish();
    a3!.finish();
    a4!.finish();
    b1!.finish();
    expect(await Promise.all(results)).toEqual(['a1', 'a2', 'a3', 'a4', 'b1']);
  });

  it('frees the slot when the work fails', async () => {
    const slots = new BoardSlots(1);
    await expect(slots.run('A', () => Promise.reject(new Error('deadlock')))).rejects.toThrow('deadlock');
    expect(await slots.run('A', async () => 'next')).toBe('next');
  });
});
