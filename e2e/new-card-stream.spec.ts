/** The new-card form's stream: defaulted by type (incidents and problems → maintenance), the person may choose. */
import type { Snapshot } from '../protocol/model.ts';
import { expect, test } from './fixtures.ts';

test('an incident created from the form lands in maintenance; a chosen stream wins over the default', async ({
  team,
  openBoardAs,
}) => {
  const po = await team.person('Stella Stream');
  const board = await team.board('Streams', [po]);
  await team.role(board, po, 'product_owner');
  const page = await openBoardAs(po, board);
  const stream = page.getByLabel('New card stream');

  await expect(stream).toHaveValue('development');
  await page.getByLabel('New card type').selectOption('incident');
  await expect(stream).toHaveValue('maintenance');
  await page.getByLabel('New card title').fill('Checkout returns 502');
  await page.getByRole('button', { name: 'Add card' }).click();
  await expect(page.getByTestId('backlog')).toContainText('Checkout returns 502');

  await page.getByLabel('New card type').selectOption('problem');
  await expect(stream).toHaveValue('maintenance');
  await stream.selectOption('development');
  await page.getByLabel('New card title').fill('Why does checkout 502?');
  await page.getByRole('button', { name: 'Add card' }).click();
  await expect(page.getByTestId('backlog')).toContainText('Why does checkout 502?');

  await page.getByLabel('New card type').selectOption('story');
  await expect(stream).toHaveValue('development');
  await page.getByLabel('New card title').fill('Pay later');
  await page.getByRole('button', { name: 'Add card' }).click();
  await expect(page.getByTestId('backlog')).toContainText('Pay later');

  await expect
    .poll(async () => {
      const snapshot = await team.admin.send<Snapshot>('GET', `/api/boards/${board.id}`);
      return Object.fromEntries(snapshot.cards.map((c) => [c.title, c.stream]));
    })
    .toEqual({
      'Checkout returns 502': 'maintenance',
      'Why does checkout 502?': 'development',
      'Pay later': 'development',
    });
});
