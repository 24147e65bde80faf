/**
 * What a screen reader hears while someone drags (with the keyboard, and ticked cards with the mouse): the card's key and title when
 * it is picked up, the column and position it is carried to, and where it was dropped, or the
 * column's name when a product owner carries a column, never the ids the drag library would read out.
 * The words are the drag library's live region (role="status", aria-live="polite").
 */
import type { Page } from '@playwright/test';
import type { Card, Sprint } from '../protocol/model.ts';
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

/** The drag library's live region; one per page, so a view that is left takes its own with it. */
const liveRegion = (page: Page) =>
  page.locator('[id^="dnd-kit-announcement"][role="status"][aria-live="polite"]');

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

test('a card carried across the Kanban with the keyboard is announced by its key, title and column', async ({
  team,
  openBoardAs,
}) => {
  const ann = await team.person('Ann Ops');
  const board = await team.board('Service desk', [ann]);
  await team.role(board, ann, 'maintenance');
  const ready = await team.column(board, 'maintenance', 'Ready');
  const doing = await team.column(board, 'maintenance', 'In progress');
  const [login, invoice, search] = await team.cards(
    board,
    ['Fix login', 'Blank invoice PDF', 'Slow search'],
    {
      type: 'incident',
      stream: 'maintenance',
    },
  );
  const place = (card: Card | undefined, columnId: string) =>
    team.admin.send('POST', `/api/boards/${board.id}/cards/${card!.id}/move`, { columnId });
  await place(login, ready.id);
  await place(invoice, ready.id);
  await place(search, doing.id);

  const page = await openBoardAs(ann, board);
  await showView(page, 'Kanban');
  await expect.poll(() => keysIn(kanbanCell(page, 'Ready'))).toEqual([login!.key, invoice!.key]);
  const said = liveRegion(page);

  // Space picks the login ticket up: she hears which card she holds and where it is.
  await boardCard(page, login!.key).focus();
  await page.keyboard.press('Space');
  await expect(said).toHaveText(`Picked up ${login!.key} Fix login. It is in Ready, position 1 of 2.`);

  // → carries it into In progress, beside the ticket already there: she hears the place it is drawn at.
  await page.keyboard.press('ArrowRight');
  const doingCell = kanbanCell(page, 'In progress');
  await expect(doingCell.locator(`[data-key="${login!.key}"]`).first()).toBeVisible();
  await expect(said).toHaveText(new RegExp(`^${login!.key} is over In progress, position [12] of 2\\.$`));
  const shown = (await keysIn(doingCell)).indexOf(login!.key) + 1;
  await expect(said).toHaveText(`${login!.key} is over In progress, position ${shown} of 2.`);

  // Space drops it there, and the board keeps it where she heard it.
  await page.keyboard.press('Space');
  await expect(said).toHaveText(`${login!.key} dropped in In progress, position ${shown} of 2.`);
  await expect.poll(async () => (await keysIn(doingCell)).indexOf(login!.key) + 1).toBe(shown);
  await expect.poll(() => keysIn(doingCell)).toHaveLength(2);

  // The drop animation ends with the focus back on the card she carried, so her next key acts on it.
  await expect(page.locator('[data-dnd-placeholder], [data-dnd-dragging], [data-dnd-dropping]')).toHaveCount(
    0,
  );
  await expect(boardCard(page, login!.key)).toBeFocused();

  // Escape puts a picked-up card back, and she hears that too.
  await boardCard(page, invoice!.key).focus();
  await page.keyboard.press('Space');
  await expect(said).toHaveText(
    `Picked up ${invoice!.key} Blank invoice PDF. It is in Ready, position 1 of 1.`,
  );
  await page.keyboard.press('ArrowRight');
  await expect(said).toContainText(`${invoice!.key} is over In progress`);
  await page.keyboard.press('Escape');
  await expect(said).toHaveText(`Moving ${invoice!.key} was cancelled. It is back in Ready.`);
  await expect.poll(() => keysIn(kanbanCell(page, 'Ready'))).toEqual([invoice!.key]);
  await expect(said).not.toHaveText(UUID);
});

test('a card carried across the sprint board with the keyboard is announced by its key, title and column', async ({
  team,
  openBoardAs,
}) => {
  const dev = await team.person('Dev Words');
  const board = await team.board('Sprint words', [dev]);
  const base = `/api/boards/${board.id}`;
  const [story] = await team.cards(board, ['Pay by card'], { estimate: 3 });
  const sprint = await team.admin.send<Sprint>('POST', `${base}/sprints`, { name: 'Sprint 1' });
  await team.admin.send('POST', `${base}/cards/${story!.id}/move`, { sprintId: sprint.id });
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  await team.admin.send('POST', `${base}/sprints/${sprint.id}/start`, {
    goal: 'Pay',
    startDate: day(0),
    endDate: day(10),
  });
  const page = await openBoardAs(dev, board);
  await showView(page, 'Sprint board');
  const said = liveRegion(page);

  await boardCard(page, story!.key).focus();
  await page.keyboard.press('Space');
  await expect(said).toHaveText(`Picked up ${story!.key} Pay by card. It is in To do, position 1 of 1.`);
  await page.keyboard.press('ArrowRight');
  await expect(said).toHaveText(`${story!.key} is over In progress, position 1 of 1.`);
  await page.keyboard.press('Space');
  await expect(said).toHaveText(`${story!.key} dropped in In progress, position 1 of 1.`);
  await expect.poll(() => keysIn(sprintColumn(page, 'In progress'))).toEqual([story!.key]);
});

test('a product owner carrying a column with the keyboard hears its name and place', async ({
  team,
  openBoardAs,
}) => {
  const paula = await team.person('Paula Owner');
  const board = await team.board('Column words', [paula]);
  await team.role(board, paula, 'product_owner');
  const page = await openBoardAs(paula, board);
  await showView(page, 'Kanban');
  const said = liveRegion(page);

  const handle = page.getByRole('button', { name: 'Move column Ready', exact: true });
  await handle.focus();
  await page.keyboard.press('Space');
  await expect(handle).toHaveAttribute('aria-pressed', 'true');
  await expect(said).toHaveText('Picked up column Ready. It is at position 1 of 4.');
  await page.keyboard.press('ArrowRight');
  await expect(said).toHaveText('Column Ready is at position 2 of 4.');
  await page.keyboard.press('Space');
  await expect(said).toHaveText('Column Ready dropped at position 2 of 4.');
  await expect(said).not.toHaveText(UUID);

  // On the sprint board, Escape puts a carried column back.
  await showView(page, 'Sprint board');
  const done = page.getByRole('button', { name: 'Move column Done', exact: true });
  await done.focus();
  await page.keyboard.press('Space');
  await expect(said).toHaveText('Picked up column Done. It is at position 4 of 4.');
  await page.keyboard.press('ArrowLeft');
  await expect(said).toHaveText('Column Done is at position 3 of 4.');
  await page.keyboard.press('Escape');
  await expect(said).toHaveText('Moving column Done was cancelled. It is back at position 4.');
});

test('a backlog card carried with the keyboard is announced by its key, title and position', async ({
  team,
  openBoardAs,
}) => {
  const ada = await team.person('Ada');
  const board = await team.board('Ledger words', [ada]);
  const [one] = await team.cards(board, ['One', 'Two', 'Three', 'Four']);
  const page = await openBoardAs(ada, board);
  const said = liveRegion(page);

  await cardRow(page, one!.key).focus();
  await page.keyboard.press('Space');
  await expect(said).toHaveText(`Picked up ${one!.key} One. It is in the backlog, position 1 of 4.`);
  await page.keyboard.press('ArrowDown');
  await expect(said).toHaveText(`${one!.key} is over the backlog, position 2 of 4.`);
  await page.keyboard.press('Space');
  await expect(said).toHaveText(`${one!.key} dropped in the backlog, position 2 of 4.`);

  // Each view's drag area takes its live region away when it goes: one region, whatever was shown.
  await showView(page, 'Kanban');
  await showView(page, 'Backlog');
  await expect(cardRow(page, one!.key)).toBeVisible();
  await expect(said).toHaveCount(1);
});

test('ticked cards dragged onto a sprint with the mouse are announced together', async ({
  team,
  openBoardAs,
}) => {
  const pia = await team.person('Pia');
  const board = await team.board('Sprint words', [pia]);
  await team.role(board, pia, 'product_owner');
  const [one, two] = await team.cards(board, ['One', 'Two', 'Three'], { estimate: 2 });
  await team.admin.send('POST', `/api/boards/${board.id}/sprints`, { name: 'Sprint 1', capacity: 10 });
  const page = await openBoardAs(pia, board);
  const said = liveRegion(page);
  const zone = page.locator('[data-testid="sprint-zone"][data-sprint-name="Sprint 1"]');
  const highlighted = page.locator(
    '[data-testid="sprint-zone"][data-sprint-name="Sprint 1"][data-drop-target="true"]',
  );

  await cardRow(page, one!.key).getByTestId('select-card').click();
  await cardRow(page, two!.key).getByTestId('select-card').click();
  await expect(page.getByTestId('selection-count')).toHaveText('2 selected');
  await dragOnto(page, cardRow(page, two!.key), zone, highlighted);
  await expect(zone.getByTestId('sprint-card')).toHaveText([one!.key, two!.key]);
  await expect(said).toHaveText(`${two!.key} dropped in Sprint 1, with 1 other ticked card.`);
});

test('a card dropped with the keyboard on a full, hard-limited column is heard as not moved, never as dropped', async ({
  team,
  openBoardAs,
}) => {
  const ann = await team.person('Ann Limits');
  const board = await team.board('Full words', [ann]);
  await team.role(board, ann, 'maintenance');
  const ready = await team.column(board, 'maintenance', 'Ready');
  const doing = await team.column(board, 'maintenance', 'In progress');
  await team.admin.send('PATCH', `/api/boards/${board.id}/columns/${doing.id}`, {
    version: doing.version,
    wipLimit: 1,
    wipPolicy: 'hard',
  });
  const [login, disk] = await team.cards(board, ['Fix login', 'Disk full'], {
    type: 'incident',
    stream: 'maintenance',
  });
  const place = (card: Card | undefined, columnId: string) =>
    team.admin.send('POST', `/api/boards/${board.id}/cards/${card!.id}/move`, { columnId });
  await place(login, ready.id);
  await place(disk, doing.id);

  const page = await openBoardAs(ann, board);
  await showView(page, 'Kanban');
  await expect.poll(() => keysIn(kanbanCell(page, 'Ready'))).toEqual([login!.key]);
  const said = liveRegion(page);
  const heard: string[] = [];
  await page.exposeFunction('heard', (text: string) => heard.push(text));
  await page.evaluate(() => {
    const region = document.querySelector('[id^="dnd-kit-announcement"][role="status"]');
    if (!region) throw new Error('no live region');
    new MutationObserver(() =>
      (window as unknown as { heard(t: string): void }).heard(region.textContent ?? ''),
    ).observe(region, { childList: true, characterData: true, subtree: true });
  });

  await boardCard(page, login!.key).focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowRight');
  await expect(said).toContainText('In progress is full: WIP limit 1');
  await page.keyboard.press('Space');
  await expect(said).toHaveText(
    `${login!.key} was not moved: In progress is full: WIP limit 1. It stays in Ready.`,
  );
  await expect.poll(() => keysIn(kanbanCell(page, 'Ready'))).toEqual([login!.key]);
  await expect.poll(() => keysIn(kanbanCell(page, 'In progress'))).toEqual([disk!.key]);
  expect(heard.filter((text) => text.includes('dropped'))).toEqual([]);
});
