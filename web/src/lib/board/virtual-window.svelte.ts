/**
 * Which rows of a long, fixed-pitch list are on screen (plus a buffer above and below), so a
 * 10,000-card backlog renders a few dozen rows. While a drag is under way the window is held still:
 * the drag library keeps track of the rows it saw when the drag began.
 */

export interface RowRange {
  start: number;
  end: number;
}

export function visibleRange(
  scrollTop: number,
  viewport: number,
  pitch: number,
  count: number,
  overscan: number,
): RowRange {
  const top = Math.max(0, scrollTop);
  const first = Math.floor(top / pitch);
  const last = Math.ceil((top + viewport) / pitch);
  return { start: Math.min(count, Math.max(0, first - overscan)), end: Math.min(count, last + overscan) };
}

export class VirtualWindow {
  #scrollTop = $state(0);
  #viewport = $state(900);
  #held = $state<RowRange | null>(null);

  readonly pitch: number;
  readonly overscan: number;
  readonly #count: () => number;

  /** `inset`: space above the first row inside the scrolling element. */
  constructor(
    pitch: number,
    count: () => number,
    overscan = 8,
    readonly inset = 0,
  ) {
    this.pitch = pitch;
    this.#count = count;
    this.overscan = overscan;
  }

  range = $derived.by((): RowRange => {
    const count = this.#count();
    const held = this.#held;
    if (held) return { start: Math.min(held.start, count), end: Math.min(held.end, count) };
    return visibleRange(this.#scrollTop - this.inset, this.#viewport, this.pitch, count, this.overscan);
  });

  scrolled(scrollTop: number): void {
    this.#scrollTop = scrollTop;
  }

  measure(viewportHeight: number): void {
    if (viewportHeight > 0) this.#viewport = viewportHeight;
  }

  hold(): void {
    this.#held = this.range;
  }

  release(): void {
    this.#held = null;
  }

  /** The scrollTop that brings row `index` fully into view, or null when it already is. */
  scrollTopFor(index: number): number | null {
    const top = this.inset + index * this.pitch;
    const bottom = top + this.pitch;
    if (top < this.#scrollTop) return Math.max(0, top - this.inset);
    if (bottom > this.#scrollTop + this.#viewport) return bottom - this.#viewport + this.inset;
    return null;
  }
}
