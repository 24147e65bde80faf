/**
 * Board keys: the prefix of every card key on a board (PAY-12). One key names one board, whatever
 * its case, so card keys never collide; keys are stored in capitals.
 */

export const BOARD_KEY_MAX_LENGTH = 10;

/** A key derived from the board's name: the initials of several words, else the first word. */
export function keyFromName(name: string): string {
  const letters = name
    .toUpperCase()
    .replace(/[^A-Z0-9 ]/g, '')
    .split(/\s+/)
    .filter(Boolean);
  const key = letters.length > 1 ? letters.map((w) => w[0]).join('') : (letters[0] ?? 'BB');
  const clean = key.replace(/^[0-9]+/, '').slice(0, 6);
  return clean.length >= 2 ? clean : `${clean}BB`.slice(0, 2);
}

/**
 * The first of KEY, KEY2, KEY3 ... that is not taken (compared without case); the base is shortened
 * when a long suffix would pass the maximum length.
 */
export function firstFreeKey(base: string, taken: ReadonlySet<string>): string {
  const upper = base.toUpperCase();
  const isTaken = (k: string) => taken.has(k.toLowerCase());
  if (!isTaken(upper)) return upper;
  for (let n = 2; ; n++) {
    const suffix = String(n);
    const candidate = upper.slice(0, BOARD_KEY_MAX_LENGTH - suffix.length) + suffix;
    if (!isTaken(candidate)) return candidate;
  }
}
