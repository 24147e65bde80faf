/** Short messages at the corner of the screen: what just happened, or why it did not. */

export type ToastKind = 'info' | 'success' | 'error' | 'warning';

/** A button on the toast (e.g. Undo); pressing it runs `run` and dismisses the toast. */
export interface ToastAction {
  label: string;
  run: () => void;
}

export interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
  action?: ToastAction;
  /** a later toast with the same key takes this one's place (one undo offer at a time) */
  key?: string;
}

export interface ToastOptions {
  action?: ToastAction;
  key?: string;
}

/** Toasts shown at once; an older one gives way to a newer one. */
export const MAX_TOASTS = 3;

export class Toasts {
  items = $state<Toast[]>([]);
  #next = 1;
  #timers = new Map<number, ReturnType<typeof setTimeout>>();

  show(message: string, kind: ToastKind = 'info', ms = 5000, options: ToastOptions = {}): number {
    const id = this.#next++;
    const toast: Toast = { id, kind, message, ...options };
    const replaced = options.key ? this.items.find((t) => t.key === options.key) : undefined;
    if (replaced) this.#clearTimer(replaced.id);
    const kept = this.items.filter((t) => t !== replaced);
    const next = [...kept, toast];
    for (const dropped of next.slice(0, -MAX_TOASTS)) this.#clearTimer(dropped.id);
    this.items = next.slice(-MAX_TOASTS);
    if (ms > 0)
      this.#timers.set(
        id,
        setTimeout(() => this.dismiss(id), ms),
      );
    return id;
  }

  error(message: string): number {
    return this.show(message, 'error', 8000);
  }

  dismiss(id: number): void {
    this.#clearTimer(id);
    this.items = this.items.filter((t) => t.id !== id);
  }

  /** Press a toast's button: its action runs and the toast goes. */
  act(id: number): void {
    const toast = this.items.find((t) => t.id === id);
    this.dismiss(id);
    toast?.action?.run();
  }

  #clearTimer(id: number): void {
    const timer = this.#timers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    this.#timers.delete(id);
  }
}
