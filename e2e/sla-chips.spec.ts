/**
 * SLA chips, live in two browsers: Ada watches the Kanban, Bob the backlog. A critical incident is
 * raised with a response target of 15 seconds (the board's SLA settings, through the API); both
 * screens show its chip counting down in green, turning amber at 75% and red at the breach, with no
 * request to the server while it ticks (the clock comes with the board's events). A chip never goes
 * back to an earlier colour. Then the Kanban with chips of every colour is photographed for the README.
 */
import type { Page } from '@playwright/test';
import type { SlaDocument, SlaDocumentReply } from '../protocol/sla.ts';
import { type Api, boardCard, expect, showView, test } from './fixtures.ts';

/** The board's SLA document with some tiers' response targets changed (minutes; 0.25 = 15 s). */
async function setResponseTargets(
  admin: Api,
  boardId: string,
  minutes: Partial<Record<'critical' | 'high' | 'normal' | 'low', number>>,
) {
  const { document } = await admin.send<SlaDocumentReply>('GET', `/api/boards/${boardId}/sla`);
  const tiers = { ...document.tiers };
  for (const [tier, m] of Object.entries(minutes) as [keyof SlaDocument['tiers'], number][])
    tiers[tier] = { ...tiers[tier], responseMinutes: m, calendar: { kind: '24x7' } };
  await admin.send('PUT', `/api/boards/${boardId}/sla`, { ...document, tiers });
}

/** Records every tone any SLA chip on the page takes, in order, without repeats. */
function watchTones(page: Page) {
  return page.evaluate(() => {
    const w = window as unknown as { tones: string[] };
    w.tones = [];
    const look = () => {
      const tone = document.querySelector('[data-testid="sla-chip"]')?.getAttribute('data-tone');
      if (tone && w.tones.at(-1) !== tone) w.tones.push(tone);
    };
    new MutationObserver(look).observe(document.body, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ['data-tone'],
    });
  });
}
const tonesSeen = (page: Page) => page.evaluate(() => (window as unknown as { tones: string[] }).tones);

test('an incident’s SLA chip counts down and turns amber, then red, live in two browsers', async ({
  team,
  openBoardAs,
}) => {
  test.slow(); // two browsers and a 15-second target on two shared cores
  const ada = await team.person('Ada Watch');
  const bob = await team.person('Bob Backlog');
  const board = await team.board(`SLA chips ${Date.now()}`, [ada, bob]);
  await setResponseTargets(team.admin, board.id, { critical: 0.25 });

  const adaPage = await openBoardAs(ada, board);
  await showView(adaPage, 'Kanban');
  const bobPage = await openBoardAs(bob, board);
  const slaRequests: string[] = [];
  for (const page of [adaPage, bobPage]) {
    await watchTones(page);
    page.on('request', (r) => {
      if (r.url().includes('/sla')) slaRequests.push(r.url());
    });
  }

  const card = await team.admin.send<{ key: string }>('POST', `/api/boards/${board.id}/cards`, {
    title: 'Card payments are failing',
    type: 'incident',
    stream: 'maintenance',
    priority: 'critical',
  });
  const chips = [
    boardCard(adaPage, card.key).getByTestId('sla-chip'),
    bobPage.locator(`[data-testid="card"][data-key="${card.key}"]`).getByTestId('sla-chip'),
  ];
  for (const chip of chips) {
    await expect(chip).toHaveAttribute('data-which', 'response');
    await expect(chip).toContainText(/resp \d+s/);
  }
  // The warning at 75% (11 s in), then the breach at 15 s, on both screens.
  for (const chip of chips) await expect(chip).toHaveAttribute('data-tone', 'warning', { timeout: 20_000 });
  for (const chip of chips) await expect(chip).toHaveAttribute('data-tone', 'breached', { timeout: 15_000 });
  for (const chip of chips) await expect(chip).toContainText(/\d+s over/);
  await bobPage.screenshot({ path: 'test-results/sla-chip-backlog.png' });

  for (const page of [adaPage, bobPage]) expect(await tonesSeen(page)).toEqual(['ok', 'warning', 'breached']);
  // It ticked in the browser: nobody asked the server for clocks after the incident was raised.
  expect(slaRequests).toEqual([]);
});

test('the Kanban shows each incident’s chip: on track, at risk, breached and paused', async ({
  team,
  openBoardAs,
}) => {
  test.slow();
  const ada = await team.person('Ada Watch');
  const board = await team.board(`SLA Kanban ${Date.now()}`, [ada]);
  // critical breaches in 6 s; high warns at 22.5 s and breaches at 30 s; normal and low have hours.
  await setResponseTargets(team.admin, board.id, { critical: 0.1, high: 0.5, normal: 240, low: 480 });
  const raise = (title: string, priority: string, extra: Record<string, unknown> = {}) =>
    team.admin.send<{ id: string; key: string }>('POST', `/api/boards/${board.id}/cards`, {
      title,
      type: 'incident',
      stream: 'maintenance',
      priority,
      ...extra,
    });
  const atRisk = await raise('Search results are slow', 'high');
  const breached = await raise('Payments are failing', 'critical');
  const onTrack = await raise('Export button mislabeled', 'medium');
  const paused = await raise('Report totals differ for one customer', 'low');
  // The clock starts just after the card is raised; then the customer is asked for details.
  await expect
    .poll(() =>
      team.admin
        .send('PATCH', `/api/boards/${board.id}/cards/${paused.id}/sla`, { waiting: 'customer' })
        .then(
          () => true,
          () => false,
        ),
    )
    .toBe(true);

  const page = await openBoardAs(ada, board);
  await showView(page, 'Kanban');
  const chip = (key: string) => boardCard(page, key).getByTestId('sla-chip');
  await expect(chip(onTrack.key)).toHaveAttribute('data-tone', 'ok');
  await expect(chip(paused.key)).toHaveAttribute('data-tone', 'paused');
  await expect(chip(breached.key)).toHaveAttribute('data-tone', 'breached', { timeout: 15_000 });
  await expect(chip(atRisk.key)).toHaveAttribute('data-tone', 'warning', { timeout: 30_000 });
  await page.screenshot({ path: 'docs/sla-chips.png' });
});
