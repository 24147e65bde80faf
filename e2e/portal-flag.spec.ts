/**
 * The request portal behind the service-desk flag: with the flag off for a board, its requester's
 * open portal page says the service desk is switched off (no request form, no error), and the board's
 * product owner no longer finds the portal's requesters in the People dialog. On again, both are back
 * with the request filed before.
 */
import type { Board } from '../protocol/model.ts';
import { expect, type Person, test } from './fixtures.ts';

test('with the service desk off for a board, its portal says so and the board hides the portal settings', async ({
  team,
  openBoardAs,
  browser,
}) => {
  test.slow(); // two browsers on two shared cores
  const paula = await team.person('Paula Owner');
  const board: Board = await team.board(`Portal flag ${Date.now()}`, [paula]);
  await team.role(board, paula, 'product_owner');
  const carol: Person = await team.person('Carol Customer');
  await team.admin.send('PUT', `/api/boards/${board.id}/requesters`, { email: carol.email });
  const setFlag = (value: boolean | null) =>
    team.admin.send('PUT', '/api/flags/service-desk/overrides', { boardId: board.id, value, reason: 'e2e' });

  const context = await browser.newContext({ viewport: { width: 1200, height: 820 } });
  try {
    const signIn = await context.request.post('/api/auth/login', {
      data: { email: carol.email, password: carol.password },
    });
    expect(signIn.status()).toBe(200);
    const portal = await context.newPage();
    await portal.goto(`/portal/${board.id}`);
    const form = portal.getByTestId('request-form');
    await form.getByLabel('Summary').fill('Reset my password');
    await form.getByRole('button', { name: 'Send request' }).click();
    await expect(portal.getByTestId('my-request')).toHaveCount(1);

    // Switched off while Carol has her portal open: it says so without a reload.
    await setFlag(false);
    const off = portal.getByTestId('portal-off');
    await expect(off).toContainText('The service desk is switched off for this board');
    await expect(portal.getByTestId('request-form')).toHaveCount(0);
    await expect(portal.getByRole('alert')).toHaveCount(0);
    await portal.screenshot({ path: 'test-results/shots/portal-off.png' });

    // Her boards page has no portal to land on now, and says where one shows when it is open again.
    const home = await context.newPage();
    await home.goto('/');
    await expect(home.getByRole('heading', { name: 'No boards yet' })).toBeVisible();
    await expect(
      home.getByText('A request portal you send requests to shows here while its team'),
    ).toBeVisible();
    await expect(home.getByTestId('portal-list')).toHaveCount(0);
    await home.screenshot({ path: 'test-results/shots/portal-off-home.png' });
    await home.close();

    // The board's own screen: no portal settings among the People while the flag is off.
    const page = await openBoardAs(paula, board);
    await page.getByRole('button', { name: /^People/ }).click();
    await expect(page.getByRole('dialog')).toBeVisible();
    await expect(page.getByTestId('requesters')).toHaveCount(0);
    await page.screenshot({ path: 'test-results/shots/portal-off-people.png' });

    // On again: the portal is back with Carol's request, and so are its settings.
    await setFlag(null);
    await portal.reload();
    await expect(portal.getByTestId('my-request')).toHaveCount(1);
    await expect(off).toHaveCount(0);
    // ... and her boards page takes her straight to it again.
    await portal.goto('/');
    await expect(portal).toHaveURL(new RegExp(`/portal/${board.id}$`));
    await page.reload();
    await page.getByRole('button', { name: /^People/ }).click();
    await expect(page.getByTestId('requesters')).toBeVisible();
  } finally {
    await setFlag(null);
    await context.close();
  }
});
