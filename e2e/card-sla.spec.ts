/**
 * The card panel's "Service level" section (service desk on). An AMS engineer opens an incident and rates its impact and
 * urgency: the tier the server derives shows at once, and the card's chip changes in a second browser
 * live. Marking it waiting on the customer pauses the clocks, on the panel and on the other browser's
 * chip. A viewer sees the same section read-only.
 */
import type { SlaDocument, SlaDocumentReply } from '../protocol/sla.ts';
import { type Api, expect, test } from './fixtures.ts';

/** Every target on a 24x7 calendar, so the clocks run whatever the hour of the test. */
async function allDay(admin: Api, boardId: string) {
  const { document } = await admin.send<SlaDocumentReply>('GET', `/api/boards/${boardId}/sla`);
  const tiers = { ...document.tiers };
  for (const tier of Object.keys(tiers) as (keyof SlaDocument['tiers'])[])
    tiers[tier] = { ...tiers[tier], calendar: { kind: '24x7' } };
  await admin.send('PUT', `/api/boards/${boardId}/sla`, { ...document, tiers });
}

test('an AMS engineer rates an incident and waits on the customer; others see it live; a viewer reads', async ({
  team,
  openBoardAs,
}) => {
  test.slow(); // three browsers on shared cores
  const eng = await team.person('Ama Engineer');
  const dev = await team.person('Dev Watcher');
  const viewer = await team.person('Vic Viewer');
  const board = await team.board(`Card SLA ${Date.now()}`, [eng, dev, viewer]);
  await team.role(board, eng, 'maintenance');
  await team.role(board, viewer, 'viewer');
  await allDay(team.admin, board.id);
  const card = await team.admin.send<{ id: string; key: string }>('POST', `/api/boards/${board.id}/cards`, {
    title: 'Invoices are not sent',
    type: 'incident',
    stream: 'maintenance',
    priority: 'low',
  });
  // The clock starts just after the card is raised.
  await expect
    .poll(() =>
      team.admin.send('GET', `/api/boards/${board.id}/cards/${card.id}/sla`).then(
        () => true,
        () => false,
      ),
    )
    .toBe(true);

  const devPage = await openBoardAs(dev, board);
  const chip = devPage.locator(`[data-testid="card"][data-key="${card.key}"]`).getByTestId('sla-chip');
  await expect(chip).toHaveAttribute('title', /^Response .*\(low incident/);

  const engPage = await openBoardAs(eng, board);
  await engPage.goto(`/boards/${board.id}?card=${card.key}`);
  const section = engPage.getByTestId('card-panel').getByTestId('card-sla');
  await expect(section.getByTestId('sla-tier')).toHaveText('low');
  await expect(section.getByTestId('sla-response')).toHaveAttribute('data-tone', 'ok');
  await expect(section.getByTestId('sla-response')).toContainText(/left$/);

  await section.getByLabel('Impact').selectOption('1');
  await expect(section.getByLabel('Impact')).toHaveValue('1');
  await section.getByLabel('Urgency').selectOption('1');
  await expect(section.getByTestId('sla-tier')).toHaveText('critical');
  // The other browser's chip follows: a critical incident's shorter response target.
  await expect(chip).toHaveAttribute('title', /\(critical incident/);

  await section.getByLabel('Waiting on').selectOption('customer');
  await expect(section.getByTestId('sla-response')).toHaveAttribute('data-tone', 'paused');
  await expect(section.getByTestId('sla-response')).toContainText('paused, waiting on the customer');
  await expect(chip).toHaveAttribute('data-tone', 'paused');
  await expect(chip).toContainText('paused');
  await engPage
    .getByTestId('card-panel')
    .screenshot({ path: 'test-results/shots/slactl/card-sla-engineer.png' });
  await devPage.screenshot({ path: 'test-results/shots/slactl/card-sla-chip-paused.png' });

  const viewerPage = await openBoardAs(viewer, board);
  await viewerPage.goto(`/boards/${board.id}?card=${card.key}`);
  const ro = viewerPage.getByTestId('card-panel').getByTestId('card-sla');
  await expect(ro.getByTestId('sla-tier')).toHaveText('critical');
  for (const field of ['Impact', 'Urgency', 'Waiting on']) await expect(ro.getByLabel(field)).toBeDisabled();
  await expect(ro.getByLabel('Waiting on')).toHaveValue('customer');
  await expect(ro).toContainText('Read only');
  await viewerPage
    .getByTestId('card-panel')
    .screenshot({ path: 'test-results/shots/slactl/card-sla-viewer.png' });

  // Resuming runs the clocks again, on both screens.
  await section.getByLabel('Waiting on').selectOption('');
  await expect(section.getByTestId('sla-response')).toHaveAttribute('data-tone', /ok|warning|breached/);
  await expect(chip).not.toHaveAttribute('data-tone', 'paused');
});

test('a story has no service level section', async ({ team, openBoardAs }) => {
  const eng = await team.person('Ama Engineer');
  const board = await team.board(`Card SLA none ${Date.now()}`, [eng]);
  const [story] = await team.cards(board, ['Add a dark theme']);
  const page = await openBoardAs(eng, board);
  await page.goto(`/boards/${board.id}?card=${story!.key}`);
  await expect(page.getByTestId('card-panel').getByTestId('panel-key')).toHaveText(story!.key);
  await expect(page.getByTestId('card-panel').getByTestId('card-sla')).toHaveCount(0);
});

test('the server’s refusal shows next to the field and nothing changes', async ({ team, openBoardAs }) => {
  const eng = await team.person('Ama Engineer');
  const board = await team.board(`Card SLA refused ${Date.now()}`, [eng]);
  await team.role(board, eng, 'maintenance');
  const [incident] = await team.cards(board, ['Nightly export failed'], {
    type: 'incident',
    stream: 'maintenance',
  });
  const base = `/api/boards/${board.id}/cards/${incident!.id}`;
  await expect
    .poll(() =>
      team.admin.send('GET', `${base}/sla`).then(
        () => true,
        () => false,
      ),
    )
    .toBe(true);
  // Resolved: its clocks have stopped, so it can no longer wait on anyone (the server says 409).
  const done = await team.column(board, 'maintenance', 'Done');
  await team.admin.send('POST', `${base}/move`, { columnId: done.id });
  const page = await openBoardAs(eng, board);
  await page.goto(`/boards/${board.id}?card=${incident!.key}`);
  const section = page.getByTestId('card-panel').getByTestId('card-sla');
  await expect(section.getByTestId('sla-resolution')).toHaveText('met');
  await section.getByLabel('Waiting on').selectOption('customer');
  await expect(section.getByTestId('sla-error-waiting')).toContainText('resolved');
  await expect(section.getByLabel('Waiting on')).toHaveValue('');
  await page.getByTestId('card-panel').screenshot({ path: 'test-results/shots/slactl/card-sla-refused.png' });

  // The service desk switched off for this board: the section goes, the card stays open; back on, it returns.
  const flag = (value: boolean | null) =>
    team.admin.send('PUT', '/api/flags/service-desk/overrides', { boardId: board.id, value, reason: 'e2e' });
  await flag(false);
  await expect(section).toHaveCount(0);
  await expect(page.getByTestId('card-panel')).toBeVisible();
  await flag(null);
  await expect(section.getByTestId('sla-resolution')).toHaveText('met');
});
