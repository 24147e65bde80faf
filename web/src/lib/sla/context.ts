/** The open board's SLA clocks, handed to every card's chip through Svelte context (BoardPage provides it). */
import { getContext, setContext } from 'svelte';
import type { SlaClocks } from './sla-clocks.svelte.ts';

const KEY = Symbol('sla-clocks');

export function provideSlaClocks(clocks: SlaClocks): SlaClocks {
  return setContext(KEY, clocks);
}

/** undefined outside a board page: the chip then shows nothing. */
export function useSlaClocks(): SlaClocks | undefined {
  return getContext<SlaClocks | undefined>(KEY);
}
