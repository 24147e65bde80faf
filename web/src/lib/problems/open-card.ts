/**
 * Opening another card from inside the card panel (a linked card, a known error): the panel has no
 * way to reach the board page's open card, so it asks through one window event that the board page's
 * known-errors button (KnownErrorsButton.svelte) answers.
 */
export const OPEN_CARD_EVENT = 'blendboard-open-card';

export function requestOpenCard(cardId: string): void {
  window.dispatchEvent(new CustomEvent<string>(OPEN_CARD_EVENT, { detail: cardId }));
}

export function onOpenCardRequest(open: (cardId: string) => void): () => void {
  const listener = (e: Event) => open((e as CustomEvent<string>).detail);
  window.addEventListener(OPEN_CARD_EVENT, listener);
  return () => window.removeEventListener(OPEN_CARD_EVENT, listener);
}
