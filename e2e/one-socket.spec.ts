/**
 * One connection per tab: the open board and the bell share the tab's socket. Ben leaves the board
 * for his board list and comes back; his tab never opens a second socket, the bell rings on the list,
 * and back on the board he sees Ana's moves live.
 */
import type { Page, WebSocket } from '@playwright/test';
import { backlogKeys, cardRow, expect, test } from './fixtures.ts';

test('the board and the bell share one socket, across leaving the board and coming back', async ({
  team,
  openBoardAs,
}) => {
  const ana = await team.person('Ana Lead');
  const ben = await team.person('Ben Watcher');
  const board = await team.board('Shared line', [ana, ben]);
  const cards = await team.cards(board, ['Alpha', 'Bravo', 'Charlie']);
  const keys = cards.map((c) => c.key);

  const sockets: WebSocket[] = [];
  const anaPage = await openBoardAs(ana, board);
  const benPage = await openBoardAs(ben, board, async (context) => {
    context.on('page', (page: Page) =>
      page.on('websocket', (ws) => {
        if (ws.url().includes('/socket.io/')) sockets.push(ws);
      }),
    );
  });
  const open = () => sockets.filter((ws) => !ws.isClosed()).length;
  expect(sockets).toHaveLength(1);
  expect(open()).toBe(1);

  const live = { timeout: 30_000 };
  await benPage.getByRole('link', { name: 'Blendboard, your boards' }).click();
  await expect(benPage.getByTestId('board-list')).toBeVisible();

  // On the list, the bell still rings: he is assigned a card.
  await team.admin.send('PATCH', `/api/boards/${board.id}/cards/${cards[1]!.id}`, {
    assigneeId: ben.id,
    version: cards[1]!.version,
  });
  await expect(benPage.getByTestId('inbox-bell')).toHaveAccessibleName('Inbox, 1 unread', live);

  await benPage
    .getByTestId('board-list')
    .getByRole('link', { name: /Shared line/ })
    .click();
  await expect(benPage.getByTestId('connection')).toHaveAttribute('data-status', 'live', live);

  // Back on the board, Ana's move reaches him over the same socket.
  await cardRow(anaPage, keys[2]!).focus();
  await anaPage.keyboard.press('Alt+Shift+ArrowUp');
  await expect.poll(() => backlogKeys(benPage), live).toEqual([keys[2], keys[0], keys[1]]);

  expect(sockets).toHaveLength(1);
  expect(open()).toBe(1);
});
