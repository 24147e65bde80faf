/**
 * On-call, live in two browsers: Ada is on duty, Bob is next. A critical incident pages Ada at once;
 * she does not acknowledge, so a few seconds later the escalation pages Bob. Both screens show both
 * pages as they happen; Bob acknowledges, and both screens show it acknowledged and no third page.
 * Ada also creates a weekly rota in the rota dialog and sees it on the board's on-duty strip.
 */
import { expect, test } from './fixtures.ts';

test('an unacknowledged critical incident pages the next on duty; both browsers see it', async ({
  team,
  openBoardAs,
}) => {
  test.slow(); // two browsers and an escalation step of a few seconds on two shared cores
  const ada = await team.person('Ada Oncall');
  const bob = await team.person('Bob Backup');
  const board = await team.board(`On-call ${Date.now()}`, [ada, bob]);
  await team.role(board, ada, 'maintenance');
  await team.role(board, bob, 'maintenance');
  const admin = team.admin;
  const rota = await admin.send<{ id: string }>('POST', `/api/boards/${board.id}/oncall/rotas`, {
    name: 'AMS weekly',
    duty: 'ams',
    members: [ada.id, bob.id],
    pattern: { kind: 'weekly', zone: 'Europe/London', handoffWeekday: 1, handoffTime: '09:00' },
    startDate: '2026-01-05',
  });
  // Ada covers the next hour whatever the week: she is on duty now and Bob is next.
  await admin.send('POST', `/api/boards/${board.id}/oncall/rotas/${rota.id}/covers`, {
    kind: 'override',
    userId: ada.id,
    from: new Date(Date.now() - 60_000).toISOString(),
    to: new Date(Date.now() + 3_600_000).toISOString(),
  });
  // The test setting: step 2 after 0.05 minutes (3 s) instead of a real team's 10 or 15.
  await admin.send('POST', `/api/boards/${board.id}/oncall/policies`, {
    name: 'Critical incidents',
    priorities: ['critical'],
    steps: [
      { target: { kind: 'on_duty', rotaId: rota.id }, afterMinutes: 0 },
      { target: { kind: 'next_on_duty', rotaId: rota.id }, afterMinutes: 0.05 },
    ],
  });

  const adaPage = await openBoardAs(ada, board);
  const bobPage = await openBoardAs(bob, board);
  for (const page of [adaPage, bobPage])
    await expect(page.getByTestId('on-duty').filter({ hasText: 'AMS weekly' })).toContainText('Ada Oncall');

  // Every page line ever shown, kept even after the incident's line moves on to its next page.
  for (const page of [adaPage, bobPage])
    await page.evaluate(() => {
      const w = window as unknown as { pageLines: Node[] };
      w.pageLines = [];
      new MutationObserver((records) => {
        for (const r of records)
          for (const n of r.addedNodes)
            if (n instanceof HTMLElement && n.matches('[data-testid="oncall-page"]')) w.pageLines.push(n);
      }).observe(document.body, { childList: true, subtree: true });
    });
  const linesSeen = (page: typeof adaPage) =>
    page.evaluate(() =>
      (window as unknown as { pageLines: Node[] }).pageLines.map((n) =>
        (n.textContent ?? '').replace(/\s+/g, ' ').trim(),
      ),
    );

  const card = await admin.send<{ id: string; key: string }>('POST', `/api/boards/${board.id}/cards`, {
    title: 'Payments are failing',
    type: 'incident',
    stream: 'maintenance',
    priority: 'critical',
  });

  for (const page of [adaPage, bobPage]) {
    // Ada does not acknowledge: after the step's seconds the next on duty is paged
    await expect(
      page.getByTestId('oncall-page').filter({ hasText: 'paged Bob Backup (step 2)' }),
    ).toBeVisible({
      timeout: 15_000,
    });
    const seen = await linesSeen(page);
    expect(seen.some((t) => t.includes(`${card.key}: paged Ada Oncall (step 1)`))).toBe(true);
    expect(seen.some((t) => t.includes(`${card.key}: paged Bob Backup (step 2)`))).toBe(true);
  }
  await adaPage.screenshot({ path: 'test-results/oncall-paged.png' });

  await bobPage
    .getByTestId('oncall-page')
    .filter({ hasText: 'Bob Backup' })
    .getByRole('button', { name: 'Acknowledge' })
    .click();
  for (const page of [adaPage, bobPage])
    await expect(page.getByTestId('oncall-page').getByRole('button', { name: 'Acknowledge' })).toHaveCount(0);
  const escalation = await admin.send<{ ackedBy: { name: string }; nextAt: string | null; pages: unknown[] }>(
    'GET',
    `/api/boards/${board.id}/incidents/${card.id}/escalation`,
  );
  expect(escalation).toMatchObject({ ackedBy: { name: 'Bob Backup' }, nextAt: null });
  expect(escalation.pages).toHaveLength(2);
  // a third page never appeared on either screen
  for (const page of [adaPage, bobPage])
    expect((await linesSeen(page)).filter((t) => t.includes('step 3'))).toEqual([]);

  // The rota dialog: Ada makes a weekly rota of two; the strip shows it at once on Bob's screen.
  await adaPage.getByRole('button', { name: 'On call' }).click();
  const dialog = adaPage.getByTestId('rota-dialog');
  const form = dialog.getByRole('form', { name: 'New weekly rota' });
  await form.getByLabel('Name').fill('Dev ↔ AMS');
  await form.getByLabel('Time zone').fill('Europe/Berlin');
  await form.getByLabel('Ada Oncall').check();
  await form.getByLabel('Bob Backup').check();
  await form.getByLabel('Rotates members between development and AMS duty').check();
  await form.getByRole('button', { name: 'Create rota' }).click();
  await expect(dialog.locator('li', { hasText: 'Dev ↔ AMS' })).toContainText('Europe/Berlin');
  await adaPage.screenshot({ path: 'test-results/oncall-rota-dialog.png' });
  await expect(bobPage.getByTestId('on-duty').filter({ hasText: 'Dev ↔ AMS' })).toBeVisible();
});
