/**
 * A drag started right after typing in a text field. The drag library clears the page's text
 * selection as a drag starts, and Chrome then scrolls a still-focused field into view: in the rota
 * dialog that threw the dialog back to its top mid-drag (rota-turn-drag.spec.ts), until a press on
 * the handle took the focus. On the backlog a press on a card takes the focus from the search box,
 * and the list scrolls in a container of its own; a drag there must leave the list and the page where
 * the user scrolled them.
 */
import { backlogKeys, cardRow, dragWithMouse, expect, keysMidList, test } from './fixtures.ts';
import { seedBacklog } from './seed.ts';

test('a backlog drag right after typing in the search box leaves the list where it was scrolled', async ({
  team,
  openBoardAs,
}) => {
  const pat = await team.person('Pat');
  const board = await team.board('Scrolled', [pat]);
  await seedBacklog(board, 300);
  const page = await openBoardAs(pat, board);
  await expect(page.getByTestId('backlog-count')).toHaveText('300 cards');

  // Typed into and cleared again: the focus stays in the box, and all 300 cards are listed.
  const search = page.getByRole('searchbox', { name: 'Search the backlog' });
  await search.fill('part');
  await search.fill('');
  await expect(search).toBeFocused();

  // Scrolled down the list with the wheel, as a person would; the wheel leaves the focus where it is.
  const list = page.getByTestId('backlog');
  const box = (await list.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, 4000);
  await expect.poll(() => list.evaluate((l) => l.scrollTop)).toBeGreaterThan(2000);
  await expect.poll(async () => (await keysMidList(page)).length).toBeGreaterThan(5);
  await expect(search).toBeFocused();
  const scrolled = await list.evaluate((l) => l.scrollTop);
  const pageScrolled = await page.evaluate(() => window.scrollY);

  const [above, target, , , moving] = (await keysMidList(page)) as [string, string, string, string, string];
  await dragWithMouse(page, moving, target);
  // The press on the card took the focus from the box, and the card keeps it once dropped.
  await expect(cardRow(page, moving)).toBeFocused();

  await expect
    .poll(() => backlogKeys(page).then((keys) => keys.slice(keys.indexOf(above), keys.indexOf(above) + 3)))
    .toEqual([above, moving, target]);
  // The list stayed where it was scrolled (a row's height at most, for the row that moved up), and
  // so did the page.
  expect(Math.abs((await list.evaluate((l) => l.scrollTop)) - scrolled)).toBeLessThan(60);
  expect(await page.evaluate(() => window.scrollY)).toBe(pageScrolled);
  await expect
    .poll(async () => {
      const order = await team.backlogOrder(board);
      return order.slice(order.indexOf(above), order.indexOf(above) + 3);
    })
    .toEqual([above, moving, target]);
});
