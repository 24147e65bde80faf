/**
 * Small things a new user hit (issue 19), each checked where it showed: the complete-sprint
 * question agrees in number; backlog rows keep their stream and labels beside the card panel; a
 * full column's refusal never covers "Expedite exempt"; the Reports page scrolls as a page; a first
 * load logs no 401; and a drag right after starting a sprint in the same page lands where aimed.
 */
import type { ConsoleMessage } from '@playwright/test';
import type { Card, Column, Snapshot, Sprint } from '../protocol/model.ts';
import { ADMIN } from './env.ts';
import {
  boardCard,
  cardRow,
  dragOnto,
  expect,
  kanbanCell,
  keysIn,
  showView,
  sprintColumn,
  test,
} from './fixtures.ts';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

type Box = { x: number; y: number; width: number; height: number };
const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

test('the complete-sprint dialog asks about one unfinished card in the singular', async ({
  team,
  openBoardAs,
}) => {
  test.setTimeout(180_000); // a browser and API set-up on shared cores
  const paula = await team.person('Paula Product');
  const board = await team.board('Wording', [paula]);
  await team.role(board, paula, 'product_owner');
  const base = `/api/boards/${board.id}`;
  const [a, b] = await team.cards(board, ['Done one', 'Open one'], { estimate: 3 });
  const sprint = await team.admin.send<Sprint>('POST', `${base}/sprints`, { name: 'Sprint 1' });
  for (const c of [a!, b!])
    await team.admin.send('POST', `${base}/cards/${c.id}/move`, { sprintId: sprint.id });
  await team.admin.send('POST', `${base}/sprints/${sprint.id}/start`, {
    goal: 'G',
    startDate: day(-2),
    endDate: day(5),
  });
  const done = await team.column(board, 'development', 'Done');
  await team.admin.send('POST', `${base}/cards/${a!.id}/move`, { columnId: done.id });

  const page = await openBoardAs(paula, board);
  await showView(page, 'Sprint board');
  await page.getByRole('button', { name: 'Complete sprint' }).click();
  const dialog = page.getByTestId('complete-sprint-dialog');
  await expect(dialog.locator('legend')).toHaveText('1 unfinished card (3 points) goes to');
  await dialog.screenshot({ path: 'test-results/shots/doneexport/complete-sprint-dialog.png' });
});

test('with the card panel open, backlog rows keep their stream badge and labels beside a readable title', async ({
  team,
  openBoardAs,
}) => {
  test.setTimeout(180_000); // a browser and API set-up on shared cores
  const paula = await team.person('Paula Product');
  const board = await team.board('Panel', [paula]);
  const [first, second] = await team.cards(board, ['Checkout rounding', 'Receipt e-mail layout'], {
    labels: ['billing', 'ui'],
  });
  const page = await openBoardAs(paula, board, undefined, { viewport: { width: 1440, height: 900 } });
  await cardRow(page, first!.key).click();
  await expect(page.getByTestId('card-panel')).toBeVisible();
  const row = cardRow(page, second!.key);
  const stream = row.locator('.stream');
  const label = row.locator('.label').first();
  const title = row.getByTestId('card-title');
  await expect(stream).toBeVisible();
  await expect(label).toBeVisible();
  await expect(label).toHaveText('billing');
  const [s, l, t] = await Promise.all([stream.boundingBox(), label.boundingBox(), title.boundingBox()]);
  expect(t!.width, 'the title keeps room to be read').toBeGreaterThan(80);
  expect(overlap(s!, t!)).toBe(false);
  expect(overlap(l!, t!)).toBe(false);
  await page.screenshot({ path: 'test-results/shots/doneexport/backlog-with-panel.png' });
});

test('a full column\'s refusal shows in the Pull button\'s place, never over "Expedite exempt"', async ({
  team,
  openBoardAs,
}) => {
  test.setTimeout(180_000); // a browser and API set-up on shared cores
  const ann = await team.person('Ann Ops');
  const board = await team.board('Full column', [ann]);
  await team.role(board, ann, 'maintenance');
  const doing = await team.column(board, 'maintenance', 'In progress');
  const ready = await team.column(board, 'maintenance', 'Ready');
  await team.admin.send<Column>('PATCH', `/api/boards/${board.id}/columns/${doing.id}`, {
    version: doing.version,
    wipLimit: 1,
    wipPolicy: 'hard',
    expediteExempt: true,
  });
  const [inside, waiting] = await team.cards(board, ['Login fails', 'Slow search'], {
    type: 'incident',
    stream: 'maintenance',
  });
  const move = (card: Card, column: Column) =>
    team.admin.send('POST', `/api/boards/${board.id}/cards/${card.id}/move`, { columnId: column.id });
  await move(inside!, doing);
  await move(waiting!, ready);

  const page = await openBoardAs(ann, board);
  await showView(page, 'Kanban');
  const head = page.locator('[data-testid="kanban-column"][data-column-name="In progress"]');
  const exempt = head.getByText('Expedite exempt');
  await expect(exempt).toBeVisible();
  const from = await boardCard(page, waiting!.key).boundingBox();
  const to = await kanbanCell(page, 'In progress').boundingBox();
  await page.mouse.move(from!.x + from!.width / 2, from!.y + from!.height / 2);
  await page.mouse.down();
  await page.mouse.move(from!.x + from!.width / 2, from!.y + from!.height / 2 + 10, { steps: 2 });
  await page.mouse.move(to!.x + to!.width / 2, to!.y + 40, { steps: 20 });
  const refusal = head.getByTestId('column-refusal');
  await expect(refusal).toBeVisible();
  await page.screenshot({ path: 'test-results/shots/doneexport/kanban-full-column.png' });
  const [e, r] = await Promise.all([exempt.boundingBox(), refusal.boundingBox()]);
  expect(overlap(e!, r!), 'the refusal covers "Expedite exempt"').toBe(false);
  await page.keyboard.press('Escape');
  await page.mouse.up();
});

test('the Reports page scrolls as a page, not inside an inner panel', async ({ team, openBoardAs }) => {
  test.setTimeout(180_000); // a browser and API set-up on shared cores
  const paula = await team.person('Paula Product');
  const board = await team.board('Scrolling reports', [paula]);
  const page = await openBoardAs(paula, board, undefined, { viewport: { width: 1280, height: 700 } });
  await showView(page, 'Reports');
  await expect(page.getByRole('heading', { name: 'Cumulative flow' })).toBeVisible();
  const reports = page.getByTestId('reports');
  const inner = await reports.evaluate((el) => ({
    scrolls: el.scrollHeight > el.clientHeight + 1,
    overflow: getComputedStyle(el).overflowY,
  }));
  expect(inner.overflow).toBe('visible');
  expect(inner.scrolls).toBe(false);
  const scrolled = await page.evaluate(() => {
    window.scrollTo(0, 400);
    return window.scrollY;
  });
  expect(scrolled, 'the page itself scrolls').toBeGreaterThan(0);
});

test('a first page load logs no 401, signed out or signed in', async ({ browser, team }) => {
  test.setTimeout(180_000); // a browser and API set-up on shared cores
  const board = await team.board('Quiet console');
  const context = await browser.newContext();
  const page = await context.newPage();
  const failures: string[] = [];
  const record = (m: ConsoleMessage) => {
    if (m.type() === 'error') failures.push(m.text());
  };
  page.on('console', record);
  page.on('response', (r) => {
    if (r.status() === 401) failures.push(`401 ${r.url()}`);
  });
  // Signed out: the home page and a board's link both show the sign-in form, quietly.
  await page.goto('/');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await page.goto(`/boards/${board.id}`);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  // Signed in, then a fresh load of the board.
  await page.getByLabel('E-mail').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('board-name')).toHaveText(board.name);
  await page.reload();
  await expect(page.getByTestId('connection')).toHaveAttribute('data-status', 'live');
  expect(failures).toEqual([]);
  await context.close();
});

test('right after starting a sprint, a drag on the sprint board of the same page lands in the column aimed at', async ({
  team,
  openBoardAs,
}) => {
  test.setTimeout(300_000); // a sprint started in the browser, then three real drags, on shared cores
  const paula = await team.person('Paula Product');
  const board = await team.board('Same page', [paula]);
  await team.role(board, paula, 'product_owner');
  const base = `/api/boards/${board.id}`;
  const cards = await team.cards(board, ['First', 'Second', 'Third'], { estimate: 2 });
  const sprint = await team.admin.send<Sprint>('POST', `${base}/sprints`, { name: 'Sprint 1' });
  for (const c of cards) await team.admin.send('POST', `${base}/cards/${c.id}/move`, { sprintId: sprint.id });

  const page = await openBoardAs(paula, board);
  const zone = page.locator('[data-testid="sprint-zone"][data-sprint-name="Sprint 1"]');
  await zone.getByRole('button', { name: 'Start…' }).click();
  const start = page.getByTestId('start-sprint-dialog');
  await start.getByLabel('Sprint goal').fill('Same page');
  await start.getByRole('button', { name: 'Start sprint' }).click();
  await expect(page.getByTestId('active-sprint-goal')).toHaveText('Same page');
  await showView(page, 'Sprint board');
  await expect.poll(() => keysIn(sprintColumn(page, 'To do'))).toHaveLength(3);

  for (const [card, name] of [
    [cards[0]!, 'Review'],
    [cards[1]!, 'In progress'],
    [cards[2]!, 'Done'],
  ] as const) {
    const target = sprintColumn(page, name);
    await dragOnto(page, boardCard(page, card.key), target, target.locator(`[data-key="${card.key}"]`));
    await expect.poll(() => keysIn(sprintColumn(page, name))).toContain(card.key);
  }
  const { cards: after, columns } = await team.admin.send<Snapshot>('GET', base);
  const columnOf = (card: Card) =>
    columns.find((c) => c.id === after.find((x) => x.id === card.id)?.columnId)?.name;
  expect(cards.map(columnOf)).toEqual(['Review', 'In progress', 'Done']);
});
