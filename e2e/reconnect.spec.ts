/** A colleague who drops off the network catches up on everything they missed when they come back. */
import { backlogKeys, cardRow, expect, test } from './fixtures.ts';

test('after a lost connection the board catches up with what happened meanwhile', async ({
  team,
  openBoardAs,
}) => {
  const ada = await team.person('Ada');
  const bob = await team.person('Bob');
  const board = await team.board('Field service', [ada, bob]);
  const keys = (await team.cards(board, ['One', 'Two', 'Three'])).map((c) => c.key);
  const adaPage = await openBoardAs(ada, board);
  const bobPage = await openBoardAs(bob, board);

  await bobPage.context().setOffline(true);
  await expect(bobPage.getByTestId('connection')).toHaveAttribute('data-status', 'reconnecting', {
    timeout: 30_000,
  });

  // While Bob is away, Ada moves a card to the top and adds one.
  await cardRow(adaPage, keys[2]!).focus();
  await adaPage.keyboard.press('Alt+Shift+ArrowUp');
  await adaPage.getByLabel('New card title').fill('Written while Bob was offline');
  await adaPage.getByRole('button', { name: 'Add card' }).click();
  await expect(cardRow(adaPage, `${board.key}-4`)).toBeVisible();

  await bobPage.context().setOffline(false);
  await expect(bobPage.getByTestId('connection')).toHaveAttribute('data-status', 'live', { timeout: 30_000 });
  await expect.poll(() => backlogKeys(bobPage)).toEqual([keys[2], keys[0], keys[1], `${board.key}-4`]);
  await expect(cardRow(bobPage, `${board.key}-4`)).toContainText('Written while Bob was offline');
});
