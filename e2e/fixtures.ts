/**
 * The cast of the end-to-end stories: an administrator arranging things through the public API, the
 * people they invite, their boards and cards, and helpers to open a board in a browser signed in as
 * one of them. Every spec makes its own board, so specs never depend on each other.
 */
import { randomBytes } from 'node:crypto';
import {
  type APIRequestContext,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  test as base,
  expect,
  type Locator,
  type Page,
  request,
} from '@playwright/test';
import type { Board, Card, Column, CreateCardInput, Role, Snapshot } from '../protocol/model.ts';
import { ADMIN, BASE_URL } from './env.ts';

export interface Person {
  id: string;
  name: string;
  email: string;
  password: string;
}

const unique = () => randomBytes(4).toString('hex');

/** A signed-in API client: cookie session plus the CSRF header the server wants on writes. */
export class Api {
  private constructor(
    readonly http: APIRequestContext,
    private readonly csrf: string,
  ) {}

  static async signIn(email: string, password: string): Promise<Api> {
    const http = await request.newContext({ baseURL: BASE_URL });
    const res = await http.post('/api/auth/login', { data: { email, password } });
    expect(res.status(), `sign in as ${email}`).toBe(200);
    return new Api(http, (await res.json()).csrfToken);
  }

  async send<T>(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    path: string,
    data?: unknown,
  ): Promise<T> {
    const res = await this.http.fetch(path, { method, data, headers: { 'x-csrf-token': this.csrf } });
    if (!res.ok()) throw new Error(`${method} ${path} → ${res.status()} ${await res.text()}`);
    return res.status() === 204 ? (undefined as T) : ((await res.json()) as T);
  }

  dispose = () => this.http.dispose();
}

export class Team {
  private constructor(readonly admin: Api) {}

  static async assemble(): Promise<Team> {
    return new Team(await Api.signIn(ADMIN.email, ADMIN.password));
  }

  /** A new account, made by the administrator. */
  async person(name: string): Promise<Person> {
    const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${unique()}@e2e.example`;
    const password = `orbit kettle ${unique()}-${unique()}`;
    const user = await this.admin.send<{ id: string }>('POST', '/api/users', { email, name, password });
    return { id: user.id, name, email, password };
  }

  /** A fresh board with these people on it as developers. */
  async board(name: string, members: Person[] = []): Promise<Board> {
    const key = `E${unique()
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, 'X')
      .slice(0, 5)}`;
    const board = await this.admin.send<Board>('POST', '/api/boards', { name, key });
    for (const m of members) {
      await this.admin.send('PUT', `/api/boards/${board.id}/members`, { email: m.email, role: 'developer' });
    }
    return board;
  }

  /** Give someone on the board another role (product owner, maintenance, ...). */
  async role(board: Board, person: Person, role: Role): Promise<void> {
    await this.admin.send('PUT', `/api/boards/${board.id}/members`, { email: person.email, role });
  }

  /** The board's column of that stream and name. */
  async column(board: Board, stream: Column['stream'], name: string): Promise<Column> {
    const snapshot = await this.admin.send<Snapshot>('GET', `/api/boards/${board.id}`);
    const column = snapshot.columns.find((c) => c.stream === stream && c.name === name);
    if (!column) throw new Error(`no ${stream} column "${name}"`);
    return column;
  }

  /** The backlog's card keys in rank order, as the server has them. */
  async backlogOrder(board: Board): Promise<string[]> {
    return (await this.admin.send<Card[]>('GET', `/api/boards/${board.id}/cards`)).map((c) => c.key);
  }

  /** Cards added to the bottom of the backlog, in this order. */
  async cards(board: Board, titles: string[], extra: Partial<CreateCardInput> = {}): Promise<Card[]> {
    const cards: Card[] = [];
    for (const title of titles) {
      cards.push(
        await this.admin.send<Card>('POST', `/api/boards/${board.id}/cards`, {
          title,
          type: 'story',
          ...extra,
        }),
      );
    }
    return cards;
  }

  dispose = () => this.admin.dispose();
}

/** A browser window of its own (separate cookies), signed in as `person`, showing the board's backlog. */
export async function openBoard(
  browser: Browser,
  person: Person,
  board: Board,
  prepare?: (context: BrowserContext) => Promise<void>,
  /** a phone's window, touch, a colour scheme ... */
  options?: BrowserContextOptions,
): Promise<Page> {
  const context = await browser.newContext(options);
  await prepare?.(context);
  const signIn = await context.request.post('/api/auth/login', {
    data: { email: person.email, password: person.password },
  });
  expect(signIn.status(), `sign in as ${person.email}`).toBe(200);
  const page = await context.newPage();
  await page.goto(`/boards/${board.id}`);
  await expect(page.getByTestId('board-name')).toHaveText(board.name);
  await expect(page.getByTestId('connection')).toHaveAttribute('data-status', 'live');
  return page;
}

/** The card keys in the order the backlog shows them (the rendered window). */
export async function backlogKeys(page: Page): Promise<string[]> {
  return page.getByTestId('card').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key') ?? ''));
}

export function cardRow(page: Page, key: string) {
  return page.locator(`[data-testid="card"][data-key="${key}"]`);
}

/** The card keys whose rows sit in the middle of the list's viewport (clear of its auto-scroll edges). */
export async function keysMidList(page: Page): Promise<string[]> {
  return page.getByTestId('backlog').evaluate((list) => {
    const box = list.getBoundingClientRect();
    const top = box.top + box.height * 0.25;
    const bottom = box.bottom - box.height * 0.25;
    return [...list.querySelectorAll<HTMLElement>('[data-testid="card"]')]
      .filter((row) => {
        const r = row.getBoundingClientRect();
        return r.top >= top && r.bottom <= bottom;
      })
      .map((row) => row.dataset.key ?? '');
  });
}

/** A real mouse drag: press on the card, nudge, glide onto the target, pause, release. */
export async function dragWithMouse(page: Page, fromKey: string, toKey: string) {
  const from = await cardRow(page, fromKey).boundingBox();
  const to = await cardRow(page, toKey).boundingBox();
  if (!from || !to) throw new Error('card rows are not on screen');
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2 + 8);
  // Aim a little above the target's middle so the card lands before it.
  await page.mouse.move(to.x + to.width / 2, to.y + to.height * 0.3, { steps: 20 });
  await page.waitForTimeout(150); // lets the drag library settle on the drop target; the outcome is awaited by the caller
  await page.mouse.up();
  await dropSettled(page);
}

/** The drop animation has ended (a drag started before it ends would be ignored). */
async function dropSettled(page: Page) {
  await expect(page.locator('[data-dnd-placeholder], [data-dnd-dragging]')).toHaveCount(0);
}

/**
 * A real mouse drag from one element onto another: press on the source, nudge, glide onto the
 * target, wait until the page shows where the card would land (`landed`), release.
 */
export async function dragOnto(page: Page, source: Locator, target: Locator, landed: Locator) {
  await dropSettled(page); // a keyboard drop may still be animating
  const from = await source.boundingBox();
  const to = await target.boundingBox();
  if (!from || !to) throw new Error('the drag source or target is not on screen');
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2 + 10, { steps: 2 });
  await page.mouse.move(to.x + to.width / 2, to.y + Math.min(to.height / 2, 40), { steps: 20 });
  // While dragging, the library shows the card and a placeholder of it: either will do.
  await expect(landed.first()).toBeVisible();
  await page.mouse.up();
  await dropSettled(page);
}

/** Switch the board to another view with its tab, as a user would. */
export async function showView(page: Page, tab: 'Backlog' | 'Sprint board' | 'Kanban' | 'Reports') {
  await page.getByRole('tab', { name: tab }).click();
  await expect(page.getByRole('tab', { name: tab })).toHaveAttribute('aria-selected', 'true');
}

/** A card tile on the sprint board or the Kanban board. */
export function boardCard(page: Page, key: string): Locator {
  return page.locator(`[data-testid="board-card"][data-key="${key}"]`);
}

/** A sprint board column by name. */
export function sprintColumn(page: Page, name: string): Locator {
  return page.locator(`[data-testid="board-column"][data-column-name="${name}"]`);
}

/** A Kanban column's cell in a swimlane ('standard' or 'expedite'). */
export function kanbanCell(page: Page, name: string, lane: 'standard' | 'expedite' = 'standard'): Locator {
  return page.locator(`[data-testid="kanban-cell"][data-column-name="${name}"][data-lane="${lane}"]`);
}

/** The card keys a sprint column or Kanban cell shows, top to bottom. */
export async function keysIn(area: Locator): Promise<string[]> {
  return area
    .locator('[data-testid="board-card"]:not([data-dnd-placeholder])')
    .evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-key') ?? ''));
}

type OpenBoard = (
  person: Person,
  board: Board,
  prepare?: (context: BrowserContext) => Promise<void>,
  options?: BrowserContextOptions,
) => Promise<Page>;

export const test = base.extend<{ team: Team; openBoardAs: OpenBoard }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern
  team: async ({}, use) => {
    const team = await Team.assemble();
    await use(team);
    await team.dispose();
  },
  /** Opens a board in a new browser window signed in as someone; the windows close after the test. */
  openBoardAs: async ({ browser }, use) => {
    const pages: Page[] = [];
    await use(async (person, board, prepare, options) => {
      const page = await openBoard(browser, person, board, prepare, options);
      pages.push(page);
      return page;
    });
    for (const page of pages) await page.context().close();
  },
});

export { expect };
