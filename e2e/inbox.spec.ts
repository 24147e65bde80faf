/**
 * The inbox, in two browsers: Ana assigns a card to Ben and mentions him in a comment; Ben's bell
 * counts up live (no reload), his inbox lists both, and a row opens the card. On a phone, in dark
 * mode, the open inbox fits the screen.
 */
import { mkdirSync } from 'node:fs';
import { mentionToken } from '../protocol/rules/mentions.ts';
import { cardRow, expect, test } from './fixtures.ts';

const SHOTS = 'test-results/shots/inbox';

test('Ana assigns Ben a card and mentions him; his bell rises live and a row opens the card', async ({
  team,
  openBoardAs,
}) => {
  const ana = await team.person('Ana Assigner');
  const ben = await team.person('Ben Busy');
  const board = await team.board('Refunds', [ana, ben]);
  const [card] = await team.cards(board, ['Settle refunds overnight']);
  const anaPage = await openBoardAs(ana, board);
  const benPage = await openBoardAs(ben, board);

  const bell = benPage.getByTestId('inbox-bell');
  await expect(bell).toHaveAccessibleName('Inbox, no unread');
  // Set in Ben's page now: a reload would lose it.
  await benPage.evaluate(() => {
    (window as unknown as { stillThisPage: boolean }).stillThisPage = true;
  });

  await cardRow(anaPage, card!.key).click();
  const panel = anaPage.getByTestId('card-panel');
  await panel.getByLabel('Assignee').selectOption({ label: 'Ben Busy' });
  await panel.getByRole('button', { name: 'Save changes' }).click();
  // Live, not fast: on a loaded machine the save and the follower's frame take their time.
  const live = { timeout: 30_000 };
  await expect(bell).toHaveAccessibleName('Inbox, 1 unread', live);

  await panel.getByRole('tab', { name: /Comments/ }).click();
  await panel
    .getByLabel('Comment')
    .fill(`${mentionToken({ id: ben.id, name: ben.name })} can you take this tonight?`);
  await panel.getByRole('button', { name: 'Comment', exact: true }).click();
  await expect(panel.getByTestId('comments')).toContainText('can you take this tonight?', live);

  await expect(bell).toHaveAccessibleName('Inbox, 2 unread', live);
  await expect(benPage.getByTestId('inbox-count')).toHaveText('2');
  expect(await benPage.evaluate(() => (window as unknown as { stillThisPage?: boolean }).stillThisPage)).toBe(
    true,
  );
  // Ana did both: her own bell stays quiet.
  await expect(anaPage.getByTestId('inbox-bell')).toHaveAccessibleName('Inbox, no unread');

  await bell.click();
  const inbox = benPage.getByTestId('inbox-panel');
  const rows = inbox.getByTestId('inbox-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toHaveAttribute('data-kind', 'mentioned');
  await expect(rows.nth(0)).toContainText(
    'Ana Assigner mentioned you in a comment: @Ben Busy can you take this tonight?',
  );
  await expect(rows.nth(0)).toContainText(`${card!.key} Settle refunds overnight`);
  await expect(rows.nth(1)).toHaveAttribute('data-kind', 'assigned');
  await expect(rows.nth(1)).toContainText('Ana Assigner assigned you');
  mkdirSync(SHOTS, { recursive: true });
  await benPage.screenshot({ path: `${SHOTS}/inbox-open-1440.png` });

  await rows.nth(0).click();
  await expect(inbox).toBeHidden();
  await expect(benPage.getByTestId('card-panel').getByTestId('panel-key')).toHaveText(card!.key);
  await expect(benPage).toHaveURL(new RegExp(`[?&]card=${card!.key}`));
  await expect(bell).toHaveAccessibleName('Inbox, 1 unread');

  // Assigned, Ben watches the card; mark all read empties the count.
  await expect(benPage.getByTestId('card-panel').getByTestId('watch-card')).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await bell.click();
  await inbox.getByTestId('inbox-mark-all').click();
  await expect(bell).toHaveAccessibleName('Inbox, no unread');
  await expect(benPage.getByTestId('inbox-count')).toHaveCount(0);
});

test('the open inbox fits a phone in dark mode', async ({ team, openBoardAs }) => {
  const ana = await team.person('Ana Phone');
  const ben = await team.person('Ben Phone');
  const board = await team.board('Phones', [ana, ben]);
  await team.admin.send('POST', `/api/boards/${board.id}/cards`, {
    title: 'Checkout button hidden behind the keyboard on small phones',
    type: 'defect_manual',
    assigneeId: ben.id,
  });
  const page = await openBoardAs(ben, board, undefined, {
    viewport: { width: 390, height: 844 },
    colorScheme: 'dark',
    hasTouch: true,
  });
  const bell = page.getByTestId('inbox-bell');
  await expect(bell).toHaveAccessibleName('Inbox, 1 unread');
  await bell.click();
  const inbox = page.getByTestId('inbox-panel');
  await expect(inbox.getByTestId('inbox-row')).toHaveCount(1);
  const box = await inbox.boundingBox();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(390);
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/inbox-open-390-dark.png` });
});
