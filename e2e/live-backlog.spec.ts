/**
 * The backlog is live: what one person does shows up for everyone on the board without a reload —
 * a mouse drag, a keyboard move, a new card — and everyone sees who else is there.
 */
import { backlogKeys, cardRow, dragWithMouse, expect, test } from './fixtures.ts';

test('a card dragged with the mouse in one browser moves for a colleague in another', async ({
  team,
  openBoardAs,
}) => {
  const ada = await team.person('Ada');
  const bob = await team.person('Bob');
  const board = await team.board('Payments', [ada, bob]);
  const cards = await team.cards(board, ['First', 'Second', 'Third', 'Fourth', 'Fifth']);
  const keys = cards.map((c) => c.key);
  const adaPage = await openBoardAs(ada, board);
  const bobPage = await openBoardAs(bob, board);
  await expect.poll(() => backlogKeys(bobPage)).toEqual(keys);

  await dragWithMouse(adaPage, keys[3]!, keys[1]!);

  const expected = [keys[0], keys[3], keys[1], keys[2], keys[4]];
  await expect.poll(() => backlogKeys(adaPage)).toEqual(expected);
  await expect.poll(() => backlogKeys(bobPage)).toEqual(expected);
  await bobPage.reload();
  await expect.poll(() => backlogKeys(bobPage)).toEqual(expected);
});

test('a card moved with the keyboard moves for everyone', async ({ team, openBoardAs }) => {
  const ada = await team.person('Ada');
  const bob = await team.person('Bob');
  const board = await team.board('Ledger', [ada, bob]);
  const keys = (await team.cards(board, ['One', 'Two', 'Three', 'Four'])).map((c) => c.key);
  const adaPage = await openBoardAs(ada, board);
  const bobPage = await openBoardAs(bob, board);

  // Alt+↑ moves the focused card one place up and keeps the focus on it.
  await cardRow(adaPage, keys[2]!).focus();
  await adaPage.keyboard.press('Alt+ArrowUp');
  await expect.poll(() => backlogKeys(bobPage)).toEqual([keys[0], keys[2], keys[1], keys[3]]);
  await expect(cardRow(adaPage, keys[2]!)).toBeFocused();
  await adaPage.keyboard.press('Alt+ArrowUp');
  await expect.poll(() => backlogKeys(bobPage)).toEqual([keys[2], keys[0], keys[1], keys[3]]);

  // Space picks a card up, the arrows carry it, Space drops it.
  await cardRow(adaPage, keys[0]!).focus();
  await adaPage.keyboard.press('Space');
  await adaPage.keyboard.press('ArrowDown');
  await adaPage.keyboard.press('ArrowDown');
  await adaPage.keyboard.press('Space');
  const final = [keys[2], keys[1], keys[3], keys[0]];
  await expect.poll(() => backlogKeys(adaPage)).toEqual(final);
  await expect.poll(() => backlogKeys(bobPage)).toEqual(final);
});

test('a card created in one browser appears in the other', async ({ team, openBoardAs }) => {
  const ada = await team.person('Ada');
  const bob = await team.person('Bob');
  const board = await team.board('Support', [ada, bob]);
  const adaPage = await openBoardAs(ada, board);
  const bobPage = await openBoardAs(bob, board);

  await adaPage.getByLabel('New card title').fill('Customers see a blank invoice');
  await adaPage.getByLabel('New card type').selectOption('incident');
  await adaPage.getByRole('button', { name: 'Add card' }).click();

  const row = cardRow(bobPage, `${board.key}-1`);
  await expect(row).toContainText('Customers see a blank invoice');
  await expect(row.locator('[data-type]')).toHaveAttribute('data-type', 'incident');
});

test('people on the board see each other, and which card the other is dragging', async ({
  team,
  openBoardAs,
}) => {
  const ada = await team.person('Ada Byron');
  const bob = await team.person('Bob Kahn');
  const board = await team.board('Platform', [ada, bob]);
  const keys = (await team.cards(board, ['Alpha', 'Beta', 'Gamma'])).map((c) => c.key);
  const adaPage = await openBoardAs(ada, board);
  const bobPage = await openBoardAs(bob, board);

  await expect(adaPage.getByTestId('presence-user')).toContainText(['Bob Kahn']);
  await expect(bobPage.getByTestId('presence-user')).toContainText(['Ada Byron']);

  // Ada picks up Alpha and holds it: Bob sees it marked with her name.
  const alpha = await cardRow(adaPage, keys[0]!).boundingBox();
  await adaPage.mouse.move(alpha!.x + alpha!.width / 2, alpha!.y + alpha!.height / 2);
  await adaPage.mouse.down();
  await adaPage.mouse.move(alpha!.x + alpha!.width / 2, alpha!.y + alpha!.height / 2 + 20, { steps: 5 });
  await expect(cardRow(bobPage, keys[0]!).getByTestId('dragged-by')).toHaveText('Ada Byron is moving this');
  await adaPage.keyboard.press('Escape');
  await adaPage.mouse.up();
  await expect(cardRow(bobPage, keys[0]!).getByTestId('dragged-by')).toHaveCount(0);

  // Bob leaves; Ada sees that too.
  await bobPage.close();
  await expect(adaPage.getByTestId('presence-user')).toHaveCount(0);
});
