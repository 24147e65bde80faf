/**
 * A backlog of 10,000 cards: only the rows on screen are drawn, and the user can
 * scroll to the end, filter it, and re-rank a card with the mouse wherever they are in the list.
 */
import { backlogKeys, cardRow, dragWithMouse, expect, keysMidList, test } from './fixtures.ts';
import { seedBacklog } from './seed.ts';

const CARDS = 10_000;

// How fast it paints is measured by `npm run bench`, not asserted here: this proves it is virtualised
// (only a window of rows exists) and stays workable.
test('a 10,000-card backlog draws only the rows on screen and stays workable', async ({
  team,
  openBoardAs,
}) => {
  test.slow();
  const pat = await team.person('Pat');
  const board = await team.board('Monolith', [pat]);
  await seedBacklog(board, CARDS);

  const page = await openBoardAs(pat, board);
  await expect(page.getByTestId('backlog-count')).toHaveText('10,000 cards');
  expect(await page.getByTestId('card').count()).toBeLessThan(80);

  // Scrolling to the end brings the last card in; still only a window of rows exists.
  await page.getByTestId('backlog').evaluate((list) => list.scrollTo({ top: list.scrollHeight }));
  await expect(cardRow(page, `${board.key}-${CARDS}`)).toBeVisible();
  expect(await page.getByTestId('card').count()).toBeLessThan(80);

  // Far down the list, a mouse drag re-ranks a card among the rows the user sees.
  await page.getByTestId('backlog').evaluate((list) => list.scrollTo({ top: list.scrollHeight / 2 }));
  await expect.poll(async () => (await keysMidList(page)).length).toBeGreaterThan(5);
  const visible = await keysMidList(page);
  const [above, target, , , moving] = visible as [string, string, string, string, string];
  await dragWithMouse(page, moving, target);
  await expect
    .poll(() => backlogKeys(page).then((keys) => keys.slice(keys.indexOf(above), keys.indexOf(above) + 3)))
    .toEqual([above, moving, target]);
  await expect
    .poll(async () => {
      const order = await team.backlogOrder(board);
      return order.slice(order.indexOf(above), order.indexOf(above) + 3);
    })
    .toEqual([above, moving, target]);

  // Filtering 10,000 cards by text finds the one card.
  await page.getByRole('searchbox', { name: 'Search the backlog' }).fill(`part ${CARDS - 1}`);
  await expect(page.getByTestId('card')).toHaveCount(1);
  await expect(page.getByTestId('backlog-count')).toHaveText(`1 of ${CARDS.toLocaleString('en-US')} cards`);
});
