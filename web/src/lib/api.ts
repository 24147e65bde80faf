/**
 * The HTTP client: JSON in and out, the session's CSRF token on every write, and the server's one
 * error shape {error, message, field?} turned into an ApiError the UI can act on by code.
 */
import type { CardComment } from '../../../protocol/events.ts';
import type { FirstScreen, FirstScreenView } from '../../../protocol/first-screen.ts';
import type {
  Board,
  BoardEvent,
  BulkMoveInput,
  Burndown,
  Card,
  ChangePasswordInput,
  Column,
  ColumnsReordered,
  CompleteSprintInput,
  CreateCardInput,
  CreateColumnInput,
  CreateSprintInput,
  FlowReport,
  Member,
  MoveCardInput,
  PasswordChanged,
  PasswordSet,
  ReorderColumnsInput,
  Role,
  SetPasswordInput,
  Snapshot,
  Sprint,
  StartSprintInput,
  UpdateCardInput,
  UpdateColumnInput,
  UpdateSprintInput,
  User,
  Velocity,
} from '../../../protocol/model.ts';

export interface SessionReply {
  user: User;
  csrfToken: string;
}

// One contract: the comment the route answers is the one `card.commented` events carry.
export type { CardComment } from '../../../protocol/events.ts';

export interface MoveReply {
  card: Card;
  event: BoardEvent;
  warning?: string;
}

export interface SprintChange {
  sprint: Sprint;
  cards: Card[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | undefined,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
  }

  /** The current card the server sent with STALE_VERSION or WIP_LIMIT_REACHED, if any. */
  get card(): Card | undefined {
    return (this.body.card as Card | undefined) ?? undefined;
  }

  /** The current column the server sent with STALE_VERSION, if any. */
  get column(): Column | undefined {
    return (this.body.column as Column | undefined) ?? undefined;
  }
}

/** The server's message without the field it starts with ("tiers.high.responseMinutes: must be …"). */
export function messageWithoutField(message: string, field: string | undefined): string {
  if (field && message.startsWith(`${field}: `)) return message.slice(field.length + 2);
  return message;
}

/** A server message shown on its own under a field: "is not your current password" → "Is not your current password." */
export function asSentence(text: string): string {
  const t = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

export class Api {
  /** Called when the server says the session is gone (expired, or signed out elsewhere). */
  onSessionLost: () => void = () => {};
  #csrfToken = '';
  /** first answers started before the board page asked, by board id and view */
  #prefetched = new Map<string, Promise<FirstScreen>>();

  setCsrfToken(token: string): void {
    this.#csrfToken = token;
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    extra: Record<string, string> = {},
  ): Promise<T> {
    const headers: Record<string, string> = { ...extra, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && this.#csrfToken) headers['x-csrf-token'] = this.#csrfToken;
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        headers,
        credentials: 'same-origin',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'NETWORK', 'The server cannot be reached. Check your connection.', undefined, {});
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (!res.ok) {
      const err = (parsed ?? {}) as Record<string, unknown>;
      if (res.status === 401 && !path.startsWith('/api/auth/') && !path.startsWith('/api/setup'))
        this.onSessionLost();
      throw new ApiError(
        res.status,
        typeof err.error === 'string' ? err.error : `HTTP_${res.status}`,
        typeof err.message === 'string' ? err.message : `${res.status} ${res.statusText}`,
        typeof err.field === 'string' ? err.field : undefined,
        err,
      );
    }
    return parsed as T;
  }

  // ---- session -------------------------------------------------------------------------------
  session = () => this.request<SessionReply>('GET', '/api/auth/session');
  /** Always 200: who is signed in (user null when nobody) and whether set-up is needed. */
  probe = () =>
    this.request<{ user: User | null; csrfToken: string; setupNeeded: boolean }>('GET', '/api/auth/probe');
  setupNeeded = () => this.request<{ needed: boolean }>('GET', '/api/setup');
  setup = (input: { email: string; name: string; password: string }) =>
    this.request<SessionReply>('POST', '/api/setup', input);
  login = (email: string, password: string) =>
    this.request<SessionReply>('POST', '/api/auth/login', { email, password });
  logout = () => this.request<void>('POST', '/api/auth/logout');

  // ---- boards --------------------------------------------------------------------------------
  boards = () => this.request<Board[]>('GET', '/api/boards');
  createBoard = (input: { name: string; key?: string }) => this.request<Board>('POST', '/api/boards', input);
  /** The whole board: every card, at one sequence number. */
  snapshot = (boardId: string): Promise<Snapshot> => this.request<Snapshot>('GET', `/api/boards/${boardId}`);
  /** The first answer of an opening: what the first screen of `view` shows (protocol/first-screen.ts). */
  firstScreen = (boardId: string, view: FirstScreenView): Promise<FirstScreen> => {
    const key = `${boardId}:${view}`;
    const early = this.#prefetched.get(key);
    this.#prefetched.delete(key);
    return early ?? this.request<FirstScreen>('GET', `/api/boards/${boardId}/first-screen?view=${view}`);
  };
  /**
   * Start loading a board's first screen while the session is still being checked. The next
   * `firstScreen(boardId, view)` takes it over.
   */
  prefetchFirstScreen = (boardId: string, view: FirstScreenView): void => {
    const early = this.request<FirstScreen>('GET', `/api/boards/${boardId}/first-screen?view=${view}`);
    early.catch(() => {}); // signed out: the board page will ask again after sign-in
    this.#prefetched.set(`${boardId}:${view}`, early);
  };
  eventsAfter = (boardId: string, seq: number) =>
    this.request<BoardEvent[]>('GET', `/api/boards/${boardId}/events?after=${seq}`);
  setMember = (boardId: string, email: string, role: Role) =>
    this.request<Member>('PUT', `/api/boards/${boardId}/members`, { email, role });
  createUser = (input: { email: string; name: string; password: string }) =>
    this.request<User>('POST', '/api/users', input);

  changePassword = (input: ChangePasswordInput) =>
    this.request<PasswordChanged>('PUT', '/api/auth/password', input);

  /** An administrator sets someone's password (they forgot it); their sessions end. */
  setPassword = (userId: string, input: SetPasswordInput) =>
    this.request<PasswordSet>('PUT', `/api/users/${userId}/password`, input);

  // ---- cards ---------------------------------------------------------------------------------
  createCard = (boardId: string, input: CreateCardInput) =>
    this.request<Card>('POST', `/api/boards/${boardId}/cards`, input);
  updateCard = (boardId: string, cardId: string, input: UpdateCardInput) =>
    this.request<Card>('PATCH', `/api/boards/${boardId}/cards/${cardId}`, input);
  moveCard = (boardId: string, cardId: string, input: MoveCardInput) =>
    this.request<MoveReply>('POST', `/api/boards/${boardId}/cards/${cardId}/move`, input);
  deleteCard = (boardId: string, cardId: string) =>
    this.request<void>('DELETE', `/api/boards/${boardId}/cards/${cardId}`);
  history = (boardId: string, cardId: string) =>
    this.request<BoardEvent[]>('GET', `/api/boards/${boardId}/cards/${cardId}/history`);
  comments = (boardId: string, cardId: string) =>
    this.request<CardComment[]>('GET', `/api/boards/${boardId}/cards/${cardId}/comments`);
  /** `internal`: a note for the team that the requester of a service request never sees. */
  addComment = (boardId: string, cardId: string, body: string, internal = false) =>
    this.request<CardComment>('POST', `/api/boards/${boardId}/cards/${cardId}/comments`, {
      body,
      ...(internal ? { internal } : {}),
    });
  bulkMove = (boardId: string, input: BulkMoveInput) =>
    this.request<Card[]>('POST', `/api/boards/${boardId}/cards/bulk-move`, input);
  /** Kanban pull: the top unblocked maintenance backlog item into this column, assigned to the caller. */
  pull = (boardId: string, columnId: string) =>
    this.request<MoveReply>('POST', `/api/boards/${boardId}/columns/${columnId}/pull`);

  // ---- columns and sprints -------------------------------------------------------------------
  createColumn = (boardId: string, input: CreateColumnInput) =>
    this.request<Column>('POST', `/api/boards/${boardId}/columns`, input);
  /** Refused with CONFLICT while the column still holds cards. */
  deleteColumn = (boardId: string, columnId: string) =>
    this.request<void>('DELETE', `/api/boards/${boardId}/columns/${columnId}`);
  /** Refused with STALE_VERSION (and the current column) when `input.version` is not the column's. */
  updateColumn = (boardId: string, columnId: string, input: UpdateColumnInput) =>
    this.request<Column>('PATCH', `/api/boards/${boardId}/columns/${columnId}`, input);
  /** Every column of the stream, in the new order. */
  reorderColumns = (boardId: string, input: ReorderColumnsInput) =>
    this.request<ColumnsReordered>('PUT', `/api/boards/${boardId}/columns/order`, input);
  createSprint = (boardId: string, input: CreateSprintInput) =>
    this.request<Sprint>('POST', `/api/boards/${boardId}/sprints`, input);
  updateSprint = (boardId: string, sprintId: string, input: UpdateSprintInput) =>
    this.request<Sprint>('PATCH', `/api/boards/${boardId}/sprints/${sprintId}`, input);
  startSprint = (boardId: string, sprintId: string, input: StartSprintInput) =>
    this.request<SprintChange>('POST', `/api/boards/${boardId}/sprints/${sprintId}/start`, input);
  completeSprint = (boardId: string, sprintId: string, input: CompleteSprintInput) =>
    this.request<SprintChange>('POST', `/api/boards/${boardId}/sprints/${sprintId}/complete`, input);

  // ---- reports -------------------------------------------------------------------------------
  velocity = (boardId: string) => this.request<Velocity>('GET', `/api/boards/${boardId}/reports/velocity`);
  burndown = (boardId: string, sprintId: string) =>
    this.request<Burndown>('GET', `/api/boards/${boardId}/reports/burndown/${sprintId}`);
  flow = (boardId: string, days = 14) =>
    this.request<FlowReport>('GET', `/api/boards/${boardId}/reports/flow?days=${days}`);
}
