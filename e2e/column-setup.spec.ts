/**
 * A product owner sets up the columns of both streams while a developer watches: she drags column
 * headers into a new order with the mouse and moves a column with the keyboard from its settings,
 * and the developer's screen follows live; she also carries columns with the keyboard by their
 * names alone (Space, arrows, Space) and the order is still there after a reload; a settings edit
 * made on an old version is refused and the dialog shows what the column is now; and the sprint
 * board's columns can be set up before the team's first sprint.
 */
import type { Locator, Page } from '@playwright/test';
import type { Column, Snapshot, Sprint } from '../protocol/model.ts';
import { boardCard, expect, type Person, showView, sprintColumn, type Team, test } from './fixtures.ts';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** The column names a board view shows, left to right (not the drag library's stand-in). */
function columnNames(page: Page, view: 'sprint board' | 'Kanban'): Promise<string[]> {
  const testId = view === 'Kanban' ? 'kanban-column' : 'board-column';
  return page
    .locator(`[data-testid="${testId}"]:not([data-dnd-placeholder])`)
    .evaluateAll((heads) => heads.map((h) => h.getAttribute('data-column-name') ?? ''));
}

/** The stream's column names as the server has them. */
async function serverOrder(team: Team, boardId: string, stream: Column['stream']): Promise<string[]> {
  const { columns } = await team.admin.send<Snapshot>('GET', `/api/boards/${boardId}`);
  return columns
    .filter((c) => c.stream === stream)
    .sort((a, b) => a.position - b.position)
    .map((c) => c.name);
}

/**
 * A real mouse drag of a column by its name: press on the header, nudge, glide onto the other
 * column's header, wait until the columns show the order they will drop in, release.
 */
async function dragHeader(page: Page, from: Locator, onto: Locator, showing: () => Promise<boolean>) {
  const a = await from.boundingBox();
  const b = await onto.boundingBox();
  if (!a || !b) throw new Error('the column headers are not on screen');
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2, { steps: 2 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 20 });
  await expect.poll(showing).toBe(true);
  await page.mouse.up();
  await expect(page.locator('[data-dnd-placeholder], [data-dnd-dragging]')).toHaveCount(0);
}

async function ownerAndDeveloper(team: Team, name: string) {
  const paula: Person = await team.person('Paula Owner');
  const dev: Person = await team.person('Dev Watcher');
  const board = await team.board(name, [paula, dev]);
  await team.role(board, paula, 'product_owner');
  return { paula, dev, board };
}

test('a product owner reorders the columns by dragging their headers and from the keyboard; a colleague sees it live', async ({
  team,
  openBoardAs,
}) => {
  test.slow(); // two browsers on two shared cores
  const { paula, dev, board } = await ownerAndDeveloper(team, 'Column order');
  // A sprint is running with a story in progress.
  const base = `/api/boards/${board.id}`;
  const [story] = await team.cards(board, ['Checkout page'], { estimate: 3 });
  const sprint = await team.admin.send<Sprint>('POST', `${base}/sprints`, { name: 'Sprint 1' });
  await team.admin.send('POST', `${base}/cards/${story!.id}/move`, { sprintId: sprint.id });
  await team.admin.send('POST', `${base}/sprints/${sprint.id}/start`, {
    goal: 'Pay',
    startDate: day(0),
    endDate: day(10),
  });
  const doing = await team.column(board, 'development', 'In progress');
  await team.admin.send('POST', `${base}/cards/${story!.id}/move`, { columnId: doing.id });
  const a = await openBoardAs(paula, board);
  const b = await openBoardAs(dev, board);

  // On the Kanban she drags Verify's header onto In progress's.
  await showView(a, 'Kanban');
  await showView(b, 'Kanban');
  const head = (page: Page, name: string) =>
    page.locator(`[data-testid="kanban-column"][data-column-name="${name}"] h2 span`);
  const reordered = ['Ready', 'Verify', 'In progress', 'Done'];
  await dragHeader(a, head(a, 'Verify'), head(a, 'In progress'), async () => {
    return (await columnNames(a, 'Kanban')).join() === reordered.join();
  });
  await expect.poll(() => columnNames(a, 'Kanban')).toEqual(reordered);
  await expect.poll(() => columnNames(b, 'Kanban')).toEqual(reordered);
  // The cells under the headers moved too: the standard lane follows the new order.
  const cells = b.locator(
    '[data-testid="kanban-cell"][data-lane="standard"]:not([data-column-name="Up next"])',
  );
  await expect
    .poll(() => cells.evaluateAll((all) => all.map((c) => c.getAttribute('data-column-name'))))
    .toEqual(reordered);
  expect(await serverOrder(team, board.id, 'maintenance')).toEqual(reordered);
  // Only admins and product owners may: the developer's headers are not draggable.
  await expect(head(a, 'Ready')).toHaveAttribute('aria-roledescription', 'draggable');
  await expect(head(b, 'Ready')).not.toHaveAttribute('aria-roledescription');
  await expect(b.getByRole('button', { name: 'Move column Ready' })).toHaveCount(0);

  // On the sprint board she drags Done's header, cards and all, to the front.
  await showView(a, 'Sprint board');
  await showView(b, 'Sprint board');
  await expect(boardCard(b, story!.key)).toBeVisible();
  const sprintHead = (page: Page, name: string) => sprintColumn(page, name).locator('h2 span');
  const doneFirst = ['Done', 'To do', 'In progress', 'Review'];
  await dragHeader(a, sprintHead(a, 'Done'), sprintHead(a, 'To do'), async () => {
    return (await columnNames(a, 'sprint board')).join() === doneFirst.join();
  });
  await expect.poll(() => columnNames(b, 'sprint board')).toEqual(doneFirst);
  // The story stays in its column, wherever the column stands.
  await expect(sprintColumn(b, 'In progress').getByTestId('board-card')).toHaveAttribute(
    'data-key',
    story!.key,
  );

  // Then she puts it back at the end from its settings, with the keyboard only.
  await a.getByRole('button', { name: 'Settings of Done' }).focus();
  await a.keyboard.press('Enter');
  const form = a.getByTestId('column-settings');
  await expect(form.getByTestId('column-place')).toHaveText('Position 1 of 4');
  await expect(form.getByRole('button', { name: 'Move left' })).toHaveAttribute('aria-disabled', 'true');
  // Three quick presses: each moves it one more place, and the server applies them in order.
  await form.getByRole('button', { name: 'Move right' }).focus();
  for (let press = 0; press < 3; press++) await a.keyboard.press('Enter');
  await expect(form.getByTestId('column-place')).toHaveText('Position 4 of 4');
  await expect(form.getByRole('button', { name: 'Move right' })).toHaveAttribute('aria-disabled', 'true');
  await expect(form.getByRole('button', { name: 'Move right' })).toBeFocused();
  await a.keyboard.press('Escape');
  await expect(form).toBeHidden();
  const original = ['To do', 'In progress', 'Review', 'Done'];
  await expect.poll(() => columnNames(b, 'sprint board')).toEqual(original);
  await expect.poll(() => serverOrder(team, board.id, 'development')).toEqual(original);
});

/**
 * A keyboard drag of a column by its name: focus it, Space picks it up, each arrow press carries it
 * one place (waiting until the columns show that place), Space drops it.
 */
async function carryColumn(
  page: Page,
  view: 'sprint board' | 'Kanban',
  name: string,
  steps: { key: 'ArrowLeft' | 'ArrowRight'; showing: string[] }[],
) {
  const handle = page.getByRole('button', { name: `Move column ${name}`, exact: true });
  await handle.focus();
  await expect(handle).toBeFocused();
  await page.keyboard.press('Space');
  await expect(handle).toHaveAttribute('aria-pressed', 'true');
  for (const { key, showing } of steps) {
    await page.keyboard.press(key);
    await expect.poll(() => columnNames(page, view)).toEqual(showing);
  }
  await page.keyboard.press('Space');
  await expect(page.locator('[data-dnd-placeholder], [data-dnd-dragging]')).toHaveCount(0);
}

test('a product owner moves columns with the keyboard by their names, and the order outlasts a reload', async ({
  team,
  openBoardAs,
}) => {
  const { paula, board } = await ownerAndDeveloper(team, 'Keyboard columns');
  const a = await openBoardAs(paula, board);

  // On the Kanban she carries Ready two places to the right.
  await showView(a, 'Kanban');
  await carryColumn(a, 'Kanban', 'Ready', [
    { key: 'ArrowRight', showing: ['In progress', 'Ready', 'Verify', 'Done'] },
    { key: 'ArrowRight', showing: ['In progress', 'Verify', 'Ready', 'Done'] },
  ]);
  const kanban = ['In progress', 'Verify', 'Ready', 'Done'];
  await expect.poll(() => serverOrder(team, board.id, 'maintenance')).toEqual(kanban);
  await expect(a.getByRole('button', { name: 'Move column Ready', exact: true })).toBeFocused();

  // On the sprint board (no sprint yet) she brings Done to the front.
  await showView(a, 'Sprint board');
  await carryColumn(a, 'sprint board', 'Done', [
    { key: 'ArrowLeft', showing: ['To do', 'In progress', 'Done', 'Review'] },
    { key: 'ArrowLeft', showing: ['To do', 'Done', 'In progress', 'Review'] },
    { key: 'ArrowLeft', showing: ['Done', 'To do', 'In progress', 'Review'] },
  ]);
  const sprintBoard = ['Done', 'To do', 'In progress', 'Review'];
  await expect.poll(() => serverOrder(team, board.id, 'development')).toEqual(sprintBoard);

  // Escape puts a picked-up column back where it was, and nothing is sent.
  const review = a.getByRole('button', { name: 'Move column Review', exact: true });
  await review.focus();
  await a.keyboard.press('Space');
  await expect(review).toHaveAttribute('aria-pressed', 'true');
  await a.keyboard.press('ArrowLeft');
  await expect.poll(() => columnNames(a, 'sprint board')).toEqual(['Done', 'To do', 'Review', 'In progress']);
  await a.keyboard.press('Escape');
  await expect.poll(() => columnNames(a, 'sprint board')).toEqual(sprintBoard);
  expect(await serverOrder(team, board.id, 'development')).toEqual(sprintBoard);

  // After a reload both boards show the order the server kept.
  await a.reload();
  await expect(a.getByTestId('connection')).toHaveAttribute('data-status', 'live');
  await showView(a, 'Sprint board');
  await expect.poll(() => columnNames(a, 'sprint board')).toEqual(sprintBoard);
  await showView(a, 'Kanban');
  await expect.poll(() => columnNames(a, 'Kanban')).toEqual(kanban);
});

test('an edit made on an old version of a column is refused, and the dialog shows the column as it is now', async ({
  team,
  openBoardAs,
}) => {
  const { paula, board } = await ownerAndDeveloper(team, 'Column versions');
  const a = await openBoardAs(paula, board);
  await showView(a, 'Kanban');
  await a.getByRole('button', { name: 'Settings of Verify' }).click();
  const form = a.getByTestId('column-settings');
  await form.getByLabel('WIP limit').fill('5');

  // Meanwhile the administrator renames the column and lowers its limit.
  const verify = await team.column(board, 'maintenance', 'Verify');
  await team.admin.send('PATCH', `/api/boards/${board.id}/columns/${verify.id}`, {
    version: verify.version,
    name: 'Test',
    wipLimit: 1,
  });

  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('alert')).toHaveText(
    'This column was changed while you were editing it. Its current settings are shown now: make your change again and save.',
  );
  await expect(form.getByLabel('Name')).toHaveValue('Test');
  await expect(form.getByLabel('WIP limit')).toHaveValue('1');
  await a.screenshot({ path: '/tmp/column-stale-edit.png' });

  // Made again on what is there now, the edit goes through.
  await form.getByLabel('WIP limit').fill('5');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form).toBeHidden();
  await expect(
    a.locator('[data-testid="kanban-column"][data-column-name="Test"] [data-testid="wip"]'),
  ).toHaveText('0 / 5');
  expect(await team.column(board, 'maintenance', 'Test')).toMatchObject({ wipLimit: 5, version: 3 });
});

test('a team sets up its sprint board columns before its first sprint', async ({ team, openBoardAs }) => {
  test.slow(); // two browsers on two shared cores
  const { paula, dev, board } = await ownerAndDeveloper(team, 'First sprint');
  const a = await openBoardAs(paula, board);
  const b = await openBoardAs(dev, board);
  await showView(a, 'Sprint board');
  await showView(b, 'Sprint board');

  // No sprint is running, and the columns are there to be set up.
  await expect(a.getByTestId('no-active-sprint')).toContainText('No sprint is running');
  await expect.poll(() => columnNames(a, 'sprint board')).toEqual(['To do', 'In progress', 'Review', 'Done']);

  // She adds a QA column, then moves it in before Done.
  await a.getByTestId('add-column').click();
  const form = a.getByTestId('column-settings');
  await form.getByLabel('Name').fill('QA');
  await form.getByRole('button', { name: 'Add column' }).click();
  await expect(form).toBeHidden();
  await a.getByRole('button', { name: 'Settings of QA' }).click();
  await form.getByRole('button', { name: 'Move left' }).click();
  await expect(form.getByTestId('column-place')).toHaveText('Position 4 of 5');
  await form.getByRole('button', { name: 'Cancel' }).click();

  // And renames Review to Code review.
  await a.getByRole('button', { name: 'Settings of Review' }).click();
  await form.getByLabel('Name').fill('Code review');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form).toBeHidden();

  const shaped = ['To do', 'In progress', 'Code review', 'QA', 'Done'];
  await expect.poll(() => columnNames(a, 'sprint board')).toEqual(shaped);
  // The developer, who may not configure columns, sees the same board without the controls.
  await expect(b.getByTestId('no-active-sprint')).toBeVisible();
  await expect.poll(() => columnNames(b, 'sprint board')).toEqual(shaped);
  await expect(b.getByTestId('add-column')).toHaveCount(0);
  await expect(b.getByRole('button', { name: 'Settings of QA' })).toHaveCount(0);
  await a.screenshot({ path: '/tmp/sprint-board-no-sprint.png' });
  expect(await serverOrder(team, board.id, 'development')).toEqual(shaped);
});
