/** Short messages at the corner of the screen: what just happened, or why it did not. */

export type ToastKind = 'info' | 'success' | 'error' | 'warning';

export interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
}

export class Toasts {
  items = $state<Toast[]>([]);
  #next = 1;

  show(message: string, kind: ToastKind = 'info', ms = 5000): number {
    const id = this.#next++;
    this.items = [...this.items, { id, kind, message }].slice(-4);
    if (ms > 0) setTimeout(() => this.dismiss(id), ms);
    return id;
  }

  error(message: string): number {
    return this.show(message, 'error', 8000);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}
