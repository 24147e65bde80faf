/**
 * The request portal, live in two browsers: a requester signs in (landing on their portal), files a
 * request (a blank summary is refused naming the field), and watches its status change without a
 * reload as the AMS engineer drags the card across the Kanban; once resolved they rate it. The
 * requester's page never reloads, and the team's board never shows the requester as present. The
 * engineer's internal note on the card never reaches the requester; the reply does.
 */
import type { Board } from '../protocol/model.ts';
import { Api, boardCard, dragOnto, expect, kanbanCell, type Person, showView, test } from './fixtures.ts';

test('a requester files a request and sees its status change as the team works', async ({
  team,
  openBoardAs,
  browser,
}) => {
  test.slow(); // two browsers on two shared cores
  const ann = await team.person('Ann Ops');
  const board: Board = await team.board('Customer desk', [ann]);
  await team.role(board, ann, 'maintenance');
  const carol: Person = await team.person('Carol Customer');
  await team.admin.send('PUT', `/api/boards/${board.id}/requesters`, { email: carol.email });

  // Carol signs in with the usual form and lands on the board's portal.
  const context = await browser.newContext({ viewport: { width: 1200, height: 820 } });
  const portal = await context.newPage();
  await portal.goto('/');
  await portal.getByLabel('E-mail').fill(carol.email);
  await portal.getByLabel('Password').fill(carol.password);
  await portal.getByRole('button', { name: 'Sign in' }).click();
  await expect(portal).toHaveURL(new RegExp(`/portal/${board.id}$`));
  await expect(portal.getByText('Customer desk · Help centre')).toBeVisible();

  // A summary of blanks is refused by the server, naming the field.
  const form = portal.getByTestId('request-form');
  await form.getByLabel('Request a change').check();
  await form.getByLabel('Summary').fill('   ');
  await form.getByRole('button', { name: 'Send request' }).click();
  await expect(form.locator('[data-field="title"]')).toContainText('title');

  await form.getByLabel('Summary').fill('Add a VAT number to invoices');
  await form.getByLabel('Details').fill('Our auditors need it from January.');
  await form.getByRole('button', { name: 'Send request' }).click();
  const mine = portal.getByTestId('my-request');
  await expect(mine).toHaveCount(1);
  const key = (await mine.getAttribute('data-key')) as string;
  await expect(mine.getByTestId('request-status')).toHaveText('Open');
  await expect(portal.getByTestId('detail-status')).toHaveText('Open');
  // From here on the page must not reload: the status changes arrive over the socket.
  await portal.evaluate(() => {
    (window as unknown as { sameDocument: boolean }).sameDocument = true;
  });

  // Ann sees it at the top of the maintenance backlog and drags it into In progress.
  const team1 = await openBoardAs(ann, board);
  await showView(team1, 'Kanban');
  await expect(boardCard(team1, key)).toBeVisible();
  const doing = kanbanCell(team1, 'In progress');
  await dragOnto(team1, boardCard(team1, key), doing, doing.getByTestId('board-card'));
  await expect(doing.locator(`[data-key="${key}"]`)).toBeVisible();

  await expect(mine.getByTestId('request-status')).toHaveText('In progress');
  await expect(portal.getByTestId('detail-status')).toHaveText('In progress');

  // Ann writes the team an internal note on the card, then replies to Carol; Carol sees the reply
  // live, and never the note.
  await boardCard(team1, key).click();
  const panel = team1.getByTestId('card-panel');
  await panel.getByRole('tab', { name: /Comments/ }).click();
  await panel.getByTestId('comment-internal').check();
  await panel.getByLabel('Comment').fill('Check which tenant they are on first.');
  await panel.getByRole('button', { name: 'Add note' }).click();
  const noted = panel.locator('[data-testid="comments"] li[data-internal="true"]');
  await expect(noted).toContainText('Check which tenant they are on first.');
  await expect(noted).toContainText('Internal note');
  await panel.getByTestId('comment-internal').uncheck();
  await panel.getByLabel('Comment').fill('Added; it shows on the next invoice run.');
  await panel.getByRole('button', { name: 'Reply to requester' }).click();
  await expect(portal.getByTestId('request-detail')).toContainText(
    'Added; it shows on the next invoice run.',
  );
  await expect(portal.getByTestId('request-detail')).not.toContainText('tenant');
  await team1.keyboard.press('Escape');
  await expect(panel).toHaveCount(0);

  // Ann finishes it; Carol sees it resolved live.
  const done = await team.column(board, 'maintenance', 'Done');
  const card = (
    await team.admin.send<{ id: string; key: string }[]>('GET', `/api/boards/${board.id}/cards`)
  ).find((c) => c.key === key) as { id: string };
  const annApi = await Api.signIn(ann.email, ann.password);
  await annApi.send('POST', `/api/boards/${board.id}/cards/${card.id}/move`, { columnId: done.id });
  await annApi.dispose();
  await expect(mine.getByTestId('request-status')).toHaveText('Resolved');

  // Carol rates it.
  const rating = portal.getByTestId('rating-form');
  await rating.getByRole('radio', { name: '4 of 5' }).click();
  await rating.getByPlaceholder('Anything to add?').fill('Quick, thanks');
  await portal.screenshot({ path: 'docs/portal.png' });
  await rating.getByRole('button', { name: 'Rate' }).click();
  await expect(portal.getByTestId('rated')).toHaveText('You rated this 4 of 5: “Quick, thanks”');
  await expect(mine.getByTestId('request-status')).toHaveText('Closed');

  // On the team's side the card says who asked, what for, and how they rated it.
  await boardCard(team1, key).click();
  const note = team1.getByTestId('card-panel').getByTestId('card-request');
  await expect(note).toContainText('Request a change from Carol Customer');
  await expect(note).toContainText('rated 4/5');
  await team1.getByTestId('card-panel').screenshot({ path: 'test-results/portal-card-panel.png' });

  expect(await portal.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(
    true,
  );
  // Carol never joined the board: the team's presence bar does not show her.
  await expect(team1.locator(`[data-testid="presence-user"][data-user-id="${carol.id}"]`)).toHaveCount(0);
  await context.close();
});
