/**
 * Undo, live in two browsers: Ann drags a ticket with the mouse and presses Ctrl+Z, and Max sees it go
 * back; Ann edits a title and presses Undo on the toast, and Max sees the old title come back; when
 * Max changed the ticket after Ann's move, her undo is refused with a message naming him and nothing
 * changes on either screen. Ctrl+Z in a text field stays the browser's own text undo.
 */
import type { Page } from '@playwright/test';
import type { Board, Card } from '../protocol/model.ts';
import {
  boardCard,
  dragOnto,
  expect,
  kanbanCell,
  keysIn,
  type Person,
  showView,
  type Team,
  test,
} from './fixtures.ts';

const SHOTS = 'test-results/shots/undo';

async function supportDesk(team: Team) {
  const ann = await team.person('Ann Ops');
  const max = await team.person('Max Ops');
  const board = await team.board('Support desk', [ann, max]);
  await team.role(board, ann, 'maintenance');
  await team.role(board, max, 'maintenance');
  const ready = await team.column(board, 'maintenance', 'Ready');
  const tickets = await team.cards(board, ['Login fails', 'Invoice PDF blank', 'Slow search'], {
    type: 'incident',
    stream: 'maintenance',
  });
  for (const t of tickets)
    await team.admin.send('POST', `/api/boards/${board.id}/cards/${t.id}/move`, { columnId: ready.id });
  return { ann, max, board, tickets, keys: tickets.map((t) => t.key) as [string, string, string] };
}

/** From now on, `page` records whether the ticket ever shows in that Kanban column. */
async function watchFor(page: Page, key: string, column: string) {
  await page.evaluate(
    ({ key, column }) => {
      const w = window as unknown as { seen: boolean };
      w.seen = false;
      const check = () => {
        if (
          document.querySelector(
            `[data-testid="kanban-cell"][data-column-name="${column}"] [data-key="${key}"]`,
          )
        )
          w.seen = true;
      };
      new MutationObserver(check).observe(document.body, { childList: true, subtree: true });
    },
    { key, column },
  );
}
const seen = (page: Page) => page.evaluate(() => (window as unknown as { seen: boolean }).seen);

async function openKanban(openBoardAs: (p: Person, b: Board) => Promise<Page>, who: Person, board: Board) {
  const page = await openBoardAs(who, board);
  await showView(page, 'Kanban');
  return page;
}

test('Ann drags a ticket, presses Ctrl+Z, and Max sees it go back to where it was', async ({
  team,
  openBoardAs,
}) => {
  test.slow(); // two browsers on two shared cores
  const { ann, max, board, keys } = await supportDesk(team);
  const [login, invoice, search] = keys;
  const a = await openKanban(openBoardAs, ann, board);
  const b = await openKanban(openBoardAs, max, board);
  await expect.poll(() => keysIn(kanbanCell(b, 'Ready'))).toEqual([login, invoice, search]);

  const verifyA = kanbanCell(a, 'Verify');
  await dragOnto(a, boardCard(a, invoice), verifyA, verifyA.locator(`[data-key="${invoice}"]`));
  await expect.poll(() => keysIn(kanbanCell(b, 'Verify'))).toEqual([invoice]);
  const offer = a.getByTestId('toast').filter({ hasText: `Moved ${invoice} to Verify` });
  await expect(offer.getByRole('button', { name: 'Undo' })).toBeVisible();
  await a.screenshot({ path: `${SHOTS}/undo-offer-kanban.png` });
  await offer.screenshot({ path: `${SHOTS}/undo-offer-toast.png` });

  await a.keyboard.press('Control+z');
  // Back between its old neighbours, on both screens; Ann is told (in the live region screen readers hear).
  await expect.poll(() => keysIn(kanbanCell(b, 'Ready'))).toEqual([login, invoice, search]);
  await expect.poll(() => keysIn(kanbanCell(b, 'Verify'))).toEqual([]);
  await expect.poll(() => keysIn(kanbanCell(a, 'Ready'))).toEqual([login, invoice, search]);
  await expect(
    a.locator('[aria-live="polite"]').getByText(`Undone: ${invoice} moved back to Ready.`),
  ).toBeVisible();
  await a.screenshot({ path: `${SHOTS}/undone-kanban.png` });
  // The undo is a change like any other: in the card's history on the server.
  const card = (await team.admin.send<Card[]>('GET', `/api/boards/${board.id}/cards`)).find(
    (c) => c.key === invoice,
  )!;
  expect(card.columnId).toBe((await team.column(board, 'maintenance', 'Ready')).id);

  // Nothing more to undo: Ctrl+Z says so and changes nothing.
  await a.keyboard.press('Control+z');
  await expect(a.getByTestId('toast').filter({ hasText: 'Nothing to undo.' })).toBeVisible();
});

test('Ann edits a title and presses Undo on the toast; Max sees the old title come back. Ctrl+Z in the field is text undo', async ({
  team,
  openBoardAs,
}) => {
  test.slow();
  const { ann, max, board, keys } = await supportDesk(team);
  const [login] = keys;
  const a = await openKanban(openBoardAs, ann, board);
  const b = await openKanban(openBoardAs, max, board);

  await boardCard(a, login).click();
  const panel = a.getByTestId('card-panel');
  const title = panel.getByTestId('edit-title');
  await title.fill('Login fails on Safari');
  // Ctrl+Z while typing is the browser's: it takes back the typing, and no card change is undone.
  await title.press('End');
  await title.pressSequentially(' now');
  await title.press('Control+z');
  await expect(title).toHaveValue('Login fails on Safari');
  await expect(a.getByTestId('toast')).toHaveCount(0);

  await panel.getByRole('button', { name: 'Save changes' }).click();
  await expect(boardCard(b, login)).toContainText('Login fails on Safari');
  const offer = a.getByTestId('toast').filter({ hasText: `Changed ${login}’s title` });
  await expect(offer).toBeVisible();
  await a.screenshot({ path: `${SHOTS}/undo-offer-edit.png` });
  await offer.getByRole('button', { name: 'Undo' }).click();

  await expect(boardCard(b, login)).toContainText('Login fails');
  await expect(boardCard(b, login)).not.toContainText('Safari');
  await expect(
    a.getByTestId('toast').filter({ hasText: `Undone: ${login}’s title restored.` }),
  ).toBeVisible();
  // Ann's open editor follows the card back.
  await expect(title).toHaveValue('Login fails');
});

test('after Max changed the ticket, Ann’s undo is refused with his name and nothing changes', async ({
  team,
  openBoardAs,
}) => {
  test.slow();
  const { ann, max, board, keys, tickets } = await supportDesk(team);
  const [login, invoice, search] = keys;
  const a = await openKanban(openBoardAs, ann, board);
  const b = await openKanban(openBoardAs, max, board);

  const verifyA = kanbanCell(a, 'Verify');
  await dragOnto(a, boardCard(a, search), verifyA, verifyA.locator(`[data-key="${search}"]`));
  await expect.poll(() => keysIn(kanbanCell(b, 'Verify'))).toEqual([search]);

  // Max moves it on to Done, with the mouse.
  const doneB = kanbanCell(b, 'Done');
  await dragOnto(b, boardCard(b, search), doneB, doneB.locator(`[data-key="${search}"]`));
  await expect.poll(() => keysIn(kanbanCell(a, 'Done'))).toEqual([search]);
  await watchFor(b, search, 'Ready');
  await watchFor(a, search, 'Ready');

  await a.keyboard.press('Control+z');
  const refusal = a
    .getByTestId('toast')
    .filter({ hasText: `Not undone: ${search} was changed by Max Ops after your move.` });
  await expect(refusal).toBeVisible();
  await expect(refusal).toHaveAttribute('role', 'alert');
  await a.screenshot({ path: `${SHOTS}/undo-refused.png` });

  // Nothing changed: the ticket stays in Done on both screens and never showed in Ready on either.
  await expect.poll(() => keysIn(kanbanCell(a, 'Done'))).toEqual([search]);
  await expect.poll(() => keysIn(kanbanCell(b, 'Done'))).toEqual([search]);
  await expect.poll(() => keysIn(kanbanCell(a, 'Ready'))).toEqual([login, invoice]);
  expect(await seen(a)).toBe(false);
  expect(await seen(b)).toBe(false);
  const done = await team.column(board, 'maintenance', 'Done');
  const now = (await team.admin.send<Card[]>('GET', `/api/boards/${board.id}/cards`)).find(
    (c) => c.id === tickets[2]!.id,
  );
  expect(now?.columnId).toBe(done.id);
});

test('toasts stay few and compact, clear of the estimates and the Sprints panel, and each can be dismissed', async ({
  team,
  openBoardAs,
}) => {
  const dev = await team.person('Dana Dev');
  const board = await team.board('Checkout', [dev]);
  await team.cards(
    board,
    Array.from({ length: 14 }, (_, i) => `Story ${i + 1}`),
    { estimate: 3 },
  );
  const page = await openBoardAs(dev, board, (context) => context.clock.install());
  // Time stands still from here, so no toast times out while they are counted.
  await page.clock.pauseAt(Date.now() + 1000);
  const title = page.getByRole('textbox', { name: 'New card title' });
  for (let i = 1; i <= 5; i++) {
    await title.fill(`Quick ${i}`);
    await title.press('Enter');
    await expect(page.getByTestId('toast').last()).toContainText(`${board.key}-${14 + i} added`);
  }
  // Five things told in a row: the three newest show, stacked compactly.
  await expect(page.getByTestId('toast')).toHaveCount(3);
  await page.screenshot({ path: `${SHOTS}/toasts-backlog.png` });
  const boxes = await page
    .getByTestId('toast')
    .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON()));
  const covered = await page.evaluate((toasts: DOMRect[]) => {
    const overlaps = (a: DOMRect, b: DOMRect) =>
      a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    const controls = [
      ...document.querySelectorAll('[data-testid="card"] .points, [data-testid="sprint-planner"]'),
    ].map((e) => e.getBoundingClientRect());
    return controls.filter((c) => toasts.some((t) => overlaps(t, c))).length;
  }, boxes);
  expect(covered).toBe(0);
  for (const box of boxes) expect(box.height).toBeLessThan(48);
  // Each can be dismissed.
  await page.getByTestId('toast').first().getByRole('button', { name: 'Dismiss' }).click();
  await expect(page.getByTestId('toast')).toHaveCount(2);
});
