/** Links to cards: an open card is in the URL, survives a reload, follows back and forward, and can be shared. */
import { boardCard, cardRow, expect, showView, test } from './fixtures.ts';

test('opening a card puts its key in the URL; reload, back and forward follow it', async ({
  team,
  openBoardAs,
}) => {
  const dev = await team.person('Lin Ker');
  const board = await team.board('Links', [dev]);
  const [, second] = await team.cards(board, ['First', 'Second']);
  const page = await openBoardAs(dev, board);
  const panel = page.getByTestId('card-panel');

  await cardRow(page, second!.key).click();
  await expect(panel.getByTestId('panel-key')).toHaveText(second!.key);
  await expect(page).toHaveURL(`/boards/${board.id}?card=${second!.key}`);

  await page.reload();
  await expect(panel.getByTestId('panel-key')).toHaveText(second!.key);

  await page.goBack();
  await expect(page).toHaveURL(`/boards/${board.id}`);
  await expect(panel).toHaveCount(0);

  await page.goForward();
  await expect(panel.getByTestId('panel-key')).toHaveText(second!.key);

  // Closing the panel is going back: forward opens the card again.
  await panel.getByRole('button', { name: 'Close' }).click();
  await expect(panel).toHaveCount(0);
  await expect(page).toHaveURL(`/boards/${board.id}`);
  await page.goForward();
  await expect(panel.getByTestId('panel-key')).toHaveText(second!.key);

  // The view is in the URL too, and the open card stays open on another view.
  await showView(page, 'Kanban');
  await expect(page).toHaveURL(`/boards/${board.id}/kanban?card=${second!.key}`);
  await expect(panel.getByTestId('panel-key')).toHaveText(second!.key);
});

test('a copied card link opens the same card, on the same view, in a colleague’s browser', async ({
  team,
  openBoardAs,
}) => {
  const ana = await team.person('Ana Link');
  const ben = await team.person('Ben Link');
  const board = await team.board('Shared links', [ana, ben]);
  const [card] = await team.cards(board, ['Share me'], { type: 'incident', stream: 'maintenance' });
  const ready = await team.column(board, 'maintenance', 'Ready');
  await team.admin.send('POST', `/api/boards/${board.id}/cards/${card!.id}/move`, { columnId: ready.id });
  const anaPage = await openBoardAs(ana, board, (context) =>
    context.grantPermissions(['clipboard-read', 'clipboard-write']),
  );

  await showView(anaPage, 'Kanban');
  await boardCard(anaPage, card!.key).click();
  await anaPage.getByTestId('card-panel').getByRole('button', { name: 'Copy link' }).click();
  await expect(anaPage.getByText(`Link to ${card!.key} copied.`)).toBeVisible();
  const link = await anaPage.evaluate(() => navigator.clipboard.readText());
  expect(link).toMatch(new RegExp(`/boards/${board.id}/kanban\\?card=${card!.key}$`));

  const benPage = await openBoardAs(ben, board);
  await benPage.goto(link);
  await expect(benPage.getByRole('tab', { name: 'Kanban' })).toHaveAttribute('aria-selected', 'true');
  await expect(benPage.getByTestId('card-panel').getByTestId('panel-key')).toHaveText(card!.key);
  await expect(benPage.getByTestId('card-panel').getByLabel('Title')).toHaveValue('Share me');
});
