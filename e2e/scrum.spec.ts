/**
 * A development sprint from planning to completion, live in two browsers: the product owner drags
 * backlog cards into a sprint and starts it, a developer works the sprint board with the mouse and the
 * keyboard while the product owner watches, and completing the sprint returns unfinished work to the
 * top of the backlog on both screens.
 */
import {
  backlogKeys,
  boardCard,
  cardRow,
  dragOnto,
  expect,
  keysIn,
  showView,
  sprintColumn,
  test,
} from './fixtures.ts';

test('a sprint is planned by drag, started, worked live on the sprint board and completed with carry-over', async ({
  team,
  openBoardAs,
}) => {
  test.slow(); // two browsers and a whole sprint on two shared cores
  const paula = await team.person('Paula Product');
  const dev = await team.person('Dev Oliveira');
  const board = await team.board('Checkout', [paula, dev]);
  await team.role(board, paula, 'product_owner');
  const estimates = [5, 3, 2, 8, 1];
  const titles = ['Pay by card', 'Pay by invoice', 'Save the basket', 'Guest checkout', 'Gift cards'];
  const keys: string[] = [];
  for (const [i, title] of titles.entries()) {
    keys.push((await team.cards(board, [title], { estimate: estimates[i]! }))[0]!.key);
  }
  const [card, invoice, basket, guest, gift] = keys as [string, string, string, string, string];
  const po = await openBoardAs(paula, board);
  const developer = await openBoardAs(dev, board);

  // The product owner plans Sprint 1 with a capacity of 13 points.
  await po.getByLabel('Sprint name').fill('Sprint 1');
  await po.getByLabel('Capacity in points').fill('13');
  await po.getByRole('button', { name: 'Plan sprint' }).click();
  const zone = po.locator('[data-testid="sprint-zone"][data-sprint-name="Sprint 1"]');
  const zoneHighlighted = po.locator(
    '[data-testid="sprint-zone"][data-sprint-name="Sprint 1"][data-drop-target="true"]',
  );
  await expect(zone).toBeVisible();

  // She drags the top card into it with the mouse…
  await dragOnto(po, cardRow(po, card), zone, zoneHighlighted);
  await expect(zone.getByTestId('sprint-card')).toHaveText([card]);
  await expect(zone.getByTestId('sprint-points')).toHaveText('5 / 13 pts');

  // …then ticks the next two (a click, then a shift-click) and drags them in together.
  await cardRow(po, invoice).getByTestId('select-card').click();
  await cardRow(po, basket)
    .getByTestId('select-card')
    .click({ modifiers: ['Shift'] });
  await expect(po.getByTestId('selection-count')).toHaveText('2 selected');
  await dragOnto(po, cardRow(po, basket), zone, zoneHighlighted);
  await expect(zone.getByTestId('sprint-card')).toHaveText([card, invoice, basket]);
  await expect(zone.getByTestId('sprint-points')).toHaveText('10 / 13 pts');
  await expect(cardRow(developer, basket).getByTestId('card-sprint')).toHaveText('Sprint 1');
  await po.getByRole('button', { name: 'Clear selection' }).click();

  // She starts it with a goal; the active sprint's goal and dates show in the planner.
  await zone.getByRole('button', { name: 'Start…' }).click();
  const start = po.getByTestId('start-sprint-dialog');
  await start.getByLabel('Sprint goal').fill('Customers can pay on their phones');
  await start.getByRole('button', { name: 'Start sprint' }).click();
  await expect(po.getByTestId('active-sprint-goal')).toHaveText('Customers can pay on their phones');
  await expect(po.getByTestId('active-sprint-dates')).not.toBeEmpty();

  // Both open the sprint board: the sprint's cards wait in To do, in rank order.
  await showView(po, 'Sprint board');
  await showView(developer, 'Sprint board');
  await expect(developer.getByTestId('sprint-goal')).toContainText('Customers can pay on their phones');
  await expect.poll(() => keysIn(sprintColumn(developer, 'To do'))).toEqual([card, invoice, basket]);
  await expect(po.getByTestId('sprint-committed')).toHaveText('10');

  // The developer drags one card to In progress and another to Done; the product owner sees both move.
  const inProgress = sprintColumn(developer, 'In progress');
  await dragOnto(
    developer,
    boardCard(developer, card),
    inProgress,
    inProgress.locator(`[data-key="${card}"]`),
  );
  await expect.poll(() => keysIn(sprintColumn(po, 'In progress'))).toEqual([card]);
  const done = sprintColumn(developer, 'Done');
  await dragOnto(developer, boardCard(developer, invoice), done, done.locator(`[data-key="${invoice}"]`));
  await expect.poll(() => keysIn(sprintColumn(po, 'Done'))).toEqual([invoice]);
  await expect(po.getByTestId('sprint-completed')).toHaveText('3');

  // With the keyboard: Space picks the last To-do card up, → carries it to In progress, Space drops it.
  await boardCard(developer, basket).focus();
  await developer.keyboard.press('Space');
  await developer.keyboard.press('ArrowRight');
  await expect(inProgress.locator(`[data-key="${basket}"]`).first()).toBeVisible();
  await developer.keyboard.press('Space');
  await expect.poll(() => keysIn(sprintColumn(po, 'To do'))).toEqual([]);
  const afterKeyboard = await keysIn(inProgress);
  expect([...afterKeyboard].sort()).toEqual([basket, card].sort());
  await expect.poll(() => keysIn(sprintColumn(po, 'In progress'))).toEqual(afterKeyboard);

  // Within a column: the lower card is dragged above the upper one.
  const [upper, lower] = afterKeyboard as [string, string];
  await dragOnto(
    developer,
    boardCard(developer, lower),
    boardCard(developer, upper),
    inProgress.locator(`[data-key="${lower}"] + [data-key="${upper}"]`),
  );
  await expect.poll(() => keysIn(sprintColumn(po, 'In progress'))).toEqual([lower, upper]);

  // The product owner completes the sprint; unfinished work goes to the top of the backlog.
  await po.getByRole('button', { name: 'Complete sprint' }).click();
  const complete = po.getByTestId('complete-sprint-dialog');
  await expect(complete).toContainText('1 of 3 cards done');
  await complete.getByLabel(/The top of the backlog/).check();
  await complete.getByRole('button', { name: 'Complete sprint' }).click();
  await expect(po.getByTestId('no-active-sprint')).toContainText('finished with 3 of 10 points');
  await expect(developer.getByTestId('no-active-sprint')).toBeVisible();

  const expected = [lower, upper, invoice, guest, gift];
  await expect.poll(() => team.backlogOrder(board)).toEqual(expected);
  await showView(po, 'Backlog');
  await showView(developer, 'Backlog');
  // The finished card keeps its rank but leaves the open backlog (the status filter's Done shows it).
  const open = expected.filter((key) => key !== invoice);
  await expect.poll(() => backlogKeys(po)).toEqual(open);
  await expect.poll(() => backlogKeys(developer)).toEqual(open);
});

test('the product owner renames a planned sprint and changes its capacity; the team sees it at once', async ({
  team,
  openBoardAs,
}) => {
  const paula = await team.person('Paula Product');
  const dev = await team.person('Dev Oliveira');
  const board = await team.board('Renames', [paula, dev]);
  await team.role(board, paula, 'product_owner');
  const po = await openBoardAs(paula, board);
  const developer = await openBoardAs(dev, board);

  await po.getByLabel('Sprint name').fill('Sprint 1');
  await po.getByRole('button', { name: 'Plan sprint' }).click();
  await expect(developer.locator('[data-testid="sprint-zone"][data-sprint-name="Sprint 1"]')).toBeVisible();
  // A developer cannot manage sprints, so no edit button for them.
  await expect(developer.getByTestId('edit-sprint')).toHaveCount(0);

  await po.getByRole('button', { name: 'Edit Sprint 1' }).click();
  const dialog = po.getByTestId('edit-sprint-dialog');
  await dialog.getByLabel('Name').fill('   ');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByRole('alert')).toHaveText('The sprint needs a name.');
  await dialog.getByLabel('Name').fill('Sprint 1 – checkout');
  await dialog.getByLabel('Capacity (points)').fill('21');
  await po.screenshot({ path: 'test-results/edit-sprint.png' });
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();

  const renamed = developer.locator('[data-testid="sprint-zone"][data-sprint-name="Sprint 1 – checkout"]');
  await expect(renamed).toBeVisible();
  await expect(renamed.getByTestId('sprint-points')).toHaveText('0 / 21 pts');
  await expect(po.locator('[data-testid="sprint-zone"][data-sprint-name="Sprint 1"]')).toHaveCount(0);
});
