/**
 * The signed-in person's inbox: the bell's unread count, kept live by the server's `inbox:changed`
 * frame to the person's own sockets, and the list the panel shows, read when it opens (and again when
 * a frame arrives while it is open). It holds the tab's socket for as long as someone is signed in,
 * not only on a board page: the bell rings on every page.
 */
import type { InboxNotification } from '../../../../protocol/inbox.ts';
import type { Api } from '../api.ts';
import type { SharedSocket, SocketLease } from '../socket.ts';
import * as inboxApi from './inbox-api.ts';

export class Inbox {
  unread = $state(0);
  items = $state.raw<InboxNotification[]>([]);
  open = $state(false);
  unreadOnly = $state(false);
  loading = $state(false);
  error = $state<string | null>(null);
  #next: string | null = $state(null);
  #socket: SocketLease | null = null;

  constructor(
    private readonly api: Api,
    private readonly tabSocket: SharedSocket,
  ) {}

  get hasMore(): boolean {
    return this.#next !== null;
  }

  start(): void {
    if (this.#socket) return;
    const socket = this.tabSocket.lease();
    this.#socket = socket;
    socket.on('inbox:changed', (frame) => {
      this.unread = frame.unread;
      if (this.open) void this.reload();
    });
    // Frames may have been missed while disconnected: ask again. The tab's socket may be up already.
    socket.on('connect', () => void this.refreshCount());
    if (socket.connected) void this.refreshCount();
  }

  stop(): void {
    this.#socket?.release();
    this.#socket = null;
    this.unread = 0;
    this.items = [];
    this.open = false;
  }

  async refreshCount(): Promise<void> {
    try {
      this.unread = (await inboxApi.unreadCount(this.api)).unread;
    } catch {
      /* the bell keeps its last count */
    }
  }

  toggle(): void {
    this.open = !this.open;
    if (this.open) void this.reload();
  }

  close(): void {
    this.open = false;
  }

  showUnreadOnly(only: boolean): void {
    this.unreadOnly = only;
    void this.reload();
  }

  async reload(): Promise<void> {
    this.loading = true;
    try {
      const page = await inboxApi.inboxPage(this.api, { unreadOnly: this.unreadOnly });
      this.items = page.items;
      this.unread = page.unread;
      this.#next = page.next;
      this.error = null;
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    } finally {
      this.loading = false;
    }
  }

  async loadMore(): Promise<void> {
    if (!this.#next) return;
    const page = await inboxApi.inboxPage(this.api, { unreadOnly: this.unreadOnly, before: this.#next });
    const seen = new Set(this.items.map((n) => n.id));
    this.items = [...this.items, ...page.items.filter((n) => !seen.has(n.id))];
    this.unread = page.unread;
    this.#next = page.next;
  }

  async markRead(id: string): Promise<void> {
    const item = this.items.find((n) => n.id === id);
    if (!item || item.read) return;
    this.items = this.items.map((n) => (n.id === id ? { ...n, read: true } : n));
    this.unread = (await inboxApi.markRead(this.api, id)).unread;
  }

  async markAllRead(): Promise<void> {
    this.items = this.items.map((n) => (n.read ? n : { ...n, read: true }));
    this.unread = (await inboxApi.markAllRead(this.api)).unread;
  }
}
