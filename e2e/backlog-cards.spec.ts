/** Working the backlog: adding cards, editing them in the side panel, and not overwriting a colleague. */
import { backlogKeys, cardRow, expect, test } from './fixtures.ts';

test('a product owner adds cards and sees them in the backlog in order', async ({ team, openBoardAs }) => {
  const po = await team.person('Priya Owner');
  const board = await team.board('Checkout', [po]);
  const page = await openBoardAs(po, board);

  await expect(page.getByTestId('backlog')).toContainText('The backlog is empty');
  for (const [title, type] of [
    ['Pay with saved card', 'Story'],
    ['Receipt e-mail shows wrong total', 'Defect (manual test)'],
  ] as const) {
    await page.getByLabel('New card title').fill(title);
    await page.getByLabel('New card type').selectOption({ label: type });
    await page.getByRole('button', { name: 'Add card' }).click();
    await expect(page.getByTestId('backlog')).toContainText(title);
  }

  await expect.poll(() => backlogKeys(page)).toEqual([`${board.key}-1`, `${board.key}-2`]);
  await expect(cardRow(page, `${board.key}-2`).locator('[data-type]')).toHaveAttribute(
    'data-type',
    'defect_manual',
  );
  await page.reload();
  await expect.poll(() => backlogKeys(page)).toEqual([`${board.key}-1`, `${board.key}-2`]);
});

test('a developer edits a card in the side panel and the change shows in the list and the history', async ({
  team,
  openBoardAs,
}) => {
  const dev = await team.person('Dev Eloper');
  const board = await team.board('Ledger', [dev]);
  const [card] = await team.cards(board, ['Reconcile nightly totals']);
  const page = await openBoardAs(dev, board);

  await cardRow(page, card!.key).click();
  const panel = page.getByTestId('card-panel');
  await panel.getByLabel('Title').fill('Reconcile nightly totals per currency');
  await panel.getByLabel('Priority').selectOption('high');
  await panel.getByLabel('Estimate (points)').fill('5');
  await panel.getByLabel(/Labels/).fill('ledger, finance');
  await panel.getByLabel('Blocked', { exact: true }).check();
  await panel.getByLabel('Why is it blocked?').fill('Waiting for the bank export format');
  await panel.getByRole('button', { name: 'Save changes' }).click();

  await expect(panel.getByText('Saved.')).toBeVisible();
  const row = cardRow(page, card!.key);
  await expect(row).toContainText('Reconcile nightly totals per currency');
  await expect(row).toContainText('Blocked');
  await expect(row).toContainText('finance');

  await panel.getByRole('tab', { name: 'Activity' }).click();
  await expect(panel.getByTestId('history')).toContainText('Dev Eloper edited');
  await expect(panel.getByTestId('history')).toContainText('priority: Medium → High');

  await panel.getByRole('tab', { name: /Comments/ }).click();
  await panel.getByLabel('Comment').fill('Bank says Friday.');
  await panel.getByRole('button', { name: 'Comment', exact: true }).click();
  await expect(panel.getByTestId('comments')).toContainText('Bank says Friday.');
});

test('an edit made on an old version is refused and the editor shows the current value', async ({
  team,
  openBoardAs,
}) => {
  const ana = await team.person('Ana');
  const ben = await team.person('Ben');
  const board = await team.board('Mobile', [ana, ben]);
  const [card] = await team.cards(board, ['Dark mode']);
  const anaPage = await openBoardAs(ana, board);
  const benPage = await openBoardAs(ben, board);

  // Both open the card; Ben starts typing before Ana saves.
  await cardRow(anaPage, card!.key).click();
  await cardRow(benPage, card!.key).click();
  await benPage.getByTestId('card-panel').getByLabel('Title').fill('Dark mode (Ben)');
  const anaPanel = anaPage.getByTestId('card-panel');
  await anaPanel.getByLabel('Title').fill('Dark mode (Ana)');
  await anaPanel.getByRole('button', { name: 'Save changes' }).click();
  await expect(anaPanel.getByText('Saved.')).toBeVisible();

  const benPanel = benPage.getByTestId('card-panel');
  await benPanel.getByRole('button', { name: 'Save changes' }).click();

  await expect(benPanel.getByTestId('edit-conflict')).toContainText('changed by someone else');
  await expect(benPanel.getByLabel('Title')).toHaveValue('Dark mode (Ana)');
  await expect(cardRow(benPage, card!.key)).toContainText('Dark mode (Ana)');
  await anaPage.reload();
  await expect(cardRow(anaPage, card!.key)).toContainText('Dark mode (Ana)');
});

test("the backlog shows each card's status (its column), and it follows moves made elsewhere", async ({
  team,
  openBoardAs,
}) => {
  const ops = await team.person('Ola Support');
  const board = await team.board('Service desk', [ops]);
  const [ticket] = await team.cards(board, ['Password reset mail delayed'], {
    type: 'incident',
    stream: 'maintenance',
  });
  const page = await openBoardAs(ops, board);
  const status = cardRow(page, ticket!.key).getByTestId('card-status');
  await expect(cardRow(page, ticket!.key)).toBeVisible();
  await expect(status).toHaveCount(0); // in the backlog, not on a board yet
  await expect(page.getByTestId('backlog-count')).toHaveText('1 card');

  // Someone else moves it on the Kanban; this backlog shows its new status without a reload.
  const moveTo = async (name: string) => {
    const column = await team.column(board, 'maintenance', name);
    await team.admin.send('POST', `/api/boards/${board.id}/cards/${ticket!.id}/move`, {
      columnId: column.id,
    });
  };
  await moveTo('In progress');
  await expect(status).toHaveText('In progress');
  await expect(status).toHaveClass(/in_progress/);
  // Done work leaves the open backlog; the status filter's Done shows it there, with its status.
  await moveTo('Done');
  await expect(cardRow(page, ticket!.key)).toHaveCount(0);
  await expect(page.getByTestId('done-count')).toContainText('1 done');
  await page.getByTestId('status-filter').selectOption('done');
  await expect(status).toHaveText('Done');
  await expect(status).toHaveClass(/done/);
  await page.screenshot({ path: test.info().outputPath('backlog-status.png') });
});
