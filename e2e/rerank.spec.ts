/**
 * The product owner refines priorities live: several mouse drags in the backlog, and after each one
 * her screen, a developer's screen and the server agree on the whole order.
 */
import { backlogKeys, dragWithMouse, expect, test } from './fixtures.ts';

test('the product owner re-ranks the backlog by drag and both browsers agree on the whole order', async ({
  team,
  openBoardAs,
}) => {
  const paula = await team.person('Paula Product');
  const dev = await team.person('Dev Oliveira');
  const board = await team.board('Mobile app', [paula, dev]);
  await team.role(board, paula, 'product_owner');
  const keys = (
    await team.cards(board, [
      'Dark mode',
      'Offline sync',
      'Push alerts',
      'Crash on resume',
      'Faster start',
      'Widgets',
    ])
  ).map((c) => c.key);
  const po = await openBoardAs(paula, board);
  const developer = await openBoardAs(dev, board);
  await expect.poll(() => backlogKeys(developer)).toEqual(keys);

  const agreeOn = async (order: string[]) => {
    await expect.poll(() => backlogKeys(po)).toEqual(order);
    await expect.poll(() => backlogKeys(developer)).toEqual(order);
    await expect.poll(() => team.backlogOrder(board)).toEqual(order);
  };

  // Dragged up onto a card, a card lands above it; dragged down onto one, below it.
  let order = [...keys];
  const place = (moving: string, onto: string) => {
    const down = order.indexOf(moving) < order.indexOf(onto);
    order = order.filter((k) => k !== moving);
    order.splice(order.indexOf(onto) + (down ? 1 : 0), 0, moving);
  };

  // The crash goes to the top, widgets above offline sync, dark mode down past faster start.
  await dragWithMouse(po, keys[3]!, keys[0]!);
  place(keys[3]!, keys[0]!);
  await agreeOn(order);

  await dragWithMouse(po, keys[5]!, keys[1]!);
  place(keys[5]!, keys[1]!);
  await agreeOn(order);

  await dragWithMouse(po, keys[0]!, keys[4]!);
  place(keys[0]!, keys[4]!);
  await agreeOn(order);

  await developer.reload();
  await expect.poll(() => backlogKeys(developer)).toEqual(order);
});
