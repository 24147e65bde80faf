/**
 * A requester's portal on one board: their requests and the one open, kept live. The server sends a
 * `portal:changed` frame to the requester's own sockets when the team changes one of their requests;
 * the portal then fetches it again (and everything after a reconnect, when frames may have been missed).
 * The portal is part of the service desk: when the board's `service-desk` flag is off (the server's
 * 404 names it), the portal says so instead of failing.
 */
import { SERVICE_DESK_FLAG } from '../../../../protocol/flags.ts';
import type {
  PortalBoard,
  PortalRequest,
  PortalRequestDetail,
  RequestStatus,
  RequestType,
} from '../../../../protocol/portal.ts';
import { type Api, ApiError } from '../api.ts';
import type { SharedSocket, SocketLease } from '../socket.ts';
import * as portalApi from './api.ts';

export const STATUS_LABEL: Record<RequestStatus, string> = {
  open: 'Open',
  in_progress: 'In progress',
  waiting_for_you: 'Waiting for you',
  resolved: 'Resolved',
  closed: 'Closed',
};

export const TYPE_LABEL: Record<RequestType, string> = {
  information: 'Ask a question',
  change: 'Request a change',
  feature: 'Suggest a new feature',
};

export class Portal {
  board = $state.raw<PortalBoard | null>(null);
  requests = $state.raw<PortalRequest[]>([]);
  detail = $state.raw<PortalRequestDetail | null>(null);
  loadError = $state<string | null>(null);
  /** the service desk is switched off for this board (until it is on again and the page reloads) */
  switchedOff = $state(false);
  #selected: string | null = null;
  #socket: SocketLease | null = null;

  constructor(
    private readonly api: Api,
    readonly boardId: string,
    private readonly tabSocket: SharedSocket,
  ) {}

  async start(): Promise<void> {
    try {
      [this.board, this.requests] = await Promise.all([
        portalApi.portalBoard(this.api, this.boardId),
        portalApi.myRequests(this.api, this.boardId),
      ]);
    } catch (err) {
      if (!this.#noteSwitchedOff(err)) this.loadError = err instanceof Error ? err.message : String(err);
      return;
    }
    const socket = this.tabSocket.lease();
    this.#socket = socket;
    socket.on('portal:changed', (frame) => {
      if (frame.boardId === this.boardId) this.refresh(frame.requestId).catch(() => {});
    });
    // An administrator may have switched the service desk off: the server's answer says so.
    socket.on('flags:changed', () => {
      this.refresh(null).catch((err: unknown) => this.#noteSwitchedOff(err));
    });
    // A reconnect may have missed frames: read everything again.
    socket.onReconnect(() => {
      this.refresh(null).catch(() => {});
    });
  }

  stop(): void {
    this.#socket?.release();
    this.#socket = null;
  }

  async select(requestId: string | null): Promise<void> {
    this.#selected = requestId;
    if (!requestId) {
      this.detail = null;
      return;
    }
    const detail = await portalApi.requestDetail(this.api, this.boardId, requestId);
    if (this.#selected === requestId) this.detail = detail;
  }

  async file(input: {
    requestType: RequestType;
    title: string;
    description: string;
  }): Promise<PortalRequest> {
    const created = await this.#watch(portalApi.fileRequest(this.api, this.boardId, input));
    this.requests = [created, ...this.requests.filter((r) => r.id !== created.id)];
    return created;
  }

  async comment(body: string): Promise<void> {
    const id = this.#selected;
    if (!id) return;
    await this.#watch(portalApi.commentOn(this.api, this.boardId, id, body));
    await this.refresh(id);
  }

  async rate(rating: number, comment: string): Promise<void> {
    const id = this.#selected;
    if (!id) return;
    const rated = await this.#watch(portalApi.rate(this.api, this.boardId, id, { rating, comment }));
    this.#replace(rated);
    await this.refresh(id);
  }

  /** Fetches one request (null: all of them) again after the team changed it. */
  async refresh(requestId: string | null): Promise<void> {
    if (requestId === null) {
      this.requests = await portalApi.myRequests(this.api, this.boardId);
      if (this.#selected) await this.select(this.#selected);
      return;
    }
    let detail: PortalRequestDetail;
    try {
      detail = await portalApi.requestDetail(this.api, this.boardId, requestId);
    } catch {
      // gone (the team deleted the card) or unreachable: the list tells the truth
      this.requests = await portalApi.myRequests(this.api, this.boardId);
      return;
    }
    this.#replace(detail.request);
    if (this.#selected === requestId) this.detail = detail;
  }

  /** True (and the portal switched off) when the error is the server saying the service desk is off. */
  #noteSwitchedOff(err: unknown): boolean {
    const off = err instanceof ApiError && err.status === 404 && err.body.flag === SERVICE_DESK_FLAG;
    if (off) {
      this.switchedOff = true;
      this.stop();
    }
    return off;
  }

  async #watch<T>(call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (err) {
      this.#noteSwitchedOff(err);
      throw err;
    }
  }

  #replace(request: PortalRequest): void {
    this.requests = this.requests.some((r) => r.id === request.id)
      ? this.requests.map((r) => (r.id === request.id ? request : r))
      : [request, ...this.requests];
  }
}
