/**
 * Warranty requirements and the hyper-care badge, in two browsers. The product owner adds a
 * non-functional acceptance criterion on the go/no-go checklist and the AMS lead sees it appear live;
 * after go-live the product owner records what was measured (prefilled with hyper-care's suggestion)
 * and both screens show it met. Going live puts the hyper-care badge on every card of the release
 * (backlog row, Kanban card, card panel) on both screens, and ending hyper-care takes it off. The
 * board's cost model is set from the release outcomes panel and the report recomputes.
 */

import type { Page } from '@playwright/test';
import type { Board } from '../protocol/model.ts';
import type { Release } from '../protocol/releases.ts';
import { Api, boardCard, cardRow, expect, type Person, showView, type Team, test } from './fixtures.ts';

// Two browsers, a go-live through the API and a report on two shared cores: more than the default 30 s.
test.describe.configure({ timeout: 90_000 });

const releases = (board: Board) => `/api/boards/${board.id}/releases`;

async function openRelease(page: Page, version: string) {
  await page.getByRole('tab', { name: 'Releases' }).click();
  await page.locator(`[data-testid="schedule-row"][data-version="${version}"]`).click();
  await expect(page.getByTestId('release-version')).toHaveText(version);
}

/** Deployed to the shadow, readiness done, and taken live by the product owner's and the AMS lead's go. */
async function takeLive(team: Team, board: Board, release: Release, po: Person, ams: Person): Promise<void> {
  const rel = `${releases(board)}/${release.id}`;
  for (const environment of release.environments.filter((e) => e !== 'live'))
    await team.admin.send('POST', `${rel}/runs`, {
      environment,
      runId: `deploy-${environment}`,
      kind: 'deployment',
      outcome: 'success',
    });
  const owner = await Api.signIn(po.email, po.password);
  const lead = await Api.signIn(ams.email, ams.password);
  for (const item of release.readiness)
    await owner.send('POST', `${rel}/readiness`, { key: item.key, done: true });
  await owner.send('POST', `${rel}/verdicts`, { verdict: 'go', reason: 'demoed' });
  const live = await lead.send<Release>('POST', `${rel}/verdicts`, { verdict: 'go', reason: 'runbook read' });
  expect(live.state).toBe('live');
  await owner.dispose();
  await lead.dispose();
}

test('warranty requirement: added on the go/no-go checklist, seen live in the other browser, measured after go-live; the cost model recomputes the outcomes', async ({
  team,
  openBoardAs,
}) => {
  const pat = await team.person('Pat Owner');
  const max = await team.person('Max Service');
  const board = await team.board('Checkout warranty', [pat, max]);
  await team.role(board, pat, 'product_owner');
  await team.role(board, max, 'maintenance');
  const [story] = await team.cards(board, ['One-click checkout'], { estimate: 8 });
  const release = await team.admin.send<Release>('POST', releases(board), {
    version: '9.0.0',
    stream: 'development',
  });
  await team.admin.send('POST', `${releases(board)}/${release.id}/scope`, { add: [story!.id] });
  // a second criterion, set through the API, so the checklist shows more than one kind
  await team.admin.send('POST', `${releases(board)}/${release.id}/warranty/requirements`, {
    category: 'performance',
    statement: 'p95 checkout latency under load',
    comparison: 'lte',
    value: 300,
    unit: 'ms',
  });

  const owner = await openBoardAs(pat, board);
  const lead = await openBoardAs(max, board);
  for (const page of [owner, lead]) await openRelease(page, '9.0.0');
  const checklist = (page: Page) => page.getByTestId('go-no-go').getByTestId('warranty-requirement');
  await expect(checklist(lead)).toHaveCount(1);
  // the AMS lead cannot set criteria
  await expect(lead.getByRole('form', { name: 'Add a warranty requirement' })).toHaveCount(0);

  const form = owner.getByRole('form', { name: 'Add a warranty requirement' });
  await form.getByLabel('Category').selectOption('availability');
  await form.getByLabel('Statement').fill('Checkout stays available');
  await form.getByLabel('Comparison').selectOption('gte');
  await form.getByLabel('Target value').fill('99.9');
  await form.getByLabel('Unit').fill('%');
  await owner.getByTestId('warranty-add').click();

  for (const page of [owner, lead]) {
    const row = checklist(page).filter({ hasText: 'Checkout stays available' });
    await expect(row).toHaveAttribute('data-category', 'availability');
    await expect(row.getByTestId('warranty-target')).toHaveText('≥ 99.9 %');
  }
  if (process.env.SCREENSHOT_DOCS)
    await owner.getByTestId('go-no-go').screenshot({ path: 'docs/warranty.png' });

  await takeLive(team, board, release, pat, max);
  const measured = (page: Page) =>
    page
      .getByTestId('hypercare')
      .getByTestId('warranty-requirement')
      .filter({ hasText: 'Checkout stays available' });
  for (const page of [owner, lead]) {
    await expect(measured(page)).toHaveAttribute('data-status', 'not_measured');
    await expect(measured(page).getByTestId('warranty-suggested')).toContainText('Hyper-care suggests 100 %');
  }
  await expect(lead.getByTestId('warranty-measure')).toHaveCount(0); // the AMS team does not measure

  await measured(owner).getByTestId('warranty-measure').click();
  await expect(measured(owner).getByTestId('warranty-value')).toHaveValue('100');
  await measured(owner).getByTestId('warranty-value').fill('99.95');
  await measured(owner).getByRole('button', { name: 'Record' }).click();
  for (const page of [owner, lead]) {
    await expect(measured(page)).toHaveAttribute('data-status', 'met');
    await expect(measured(page).getByTestId('warranty-measured')).toContainText('99.95 %');
    await expect(measured(page).getByTestId('warranty-measured')).toContainText('Pat Owner');
    await expect(page.getByTestId('warranty-summary')).toHaveText('1 met · 0 not met · 1 not measured');
  }
  if (process.env.SCREENSHOT_DOCS)
    await owner.getByTestId('warranty-hypercare').screenshot({ path: 'docs/warranty-hypercare.png' });

  // The product owner costs releases per point; the report is computed again with it.
  await showView(owner, 'Reports');
  const outcomes = owner.getByTestId('release-outcomes');
  await expect(outcomes.getByTestId('cost-model-text')).toContainText('EUR/day');
  await outcomes.getByTestId('cost-model-edit').click();
  const cost = outcomes.getByTestId('cost-model-form');
  await cost.getByLabel('Per point').check();
  await cost.getByLabel('Cost per point').fill('250');
  await cost.getByLabel('Currency').fill('GBP');
  if (process.env.SCREENSHOT_DOCS) await outcomes.screenshot({ path: 'docs/cost-model.png' });
  await outcomes.getByTestId('cost-model-save').click();
  await expect(outcomes.getByTestId('cost-model-text')).toHaveText('250 GBP per point in scope');
  await expect(outcomes).toContainText('2000 GBP');
  await showView(lead, 'Reports');
  await expect(lead.getByTestId('release-outcomes').getByTestId('cost-model-text')).toHaveText(
    '250 GBP per point in scope',
  );
  await expect(lead.getByTestId('cost-model-edit')).toHaveCount(0);
});

test('hyper-care badge: every card of the release shows it on both screens when it goes live, and loses it when hyper-care ends', async ({
  team,
  openBoardAs,
}) => {
  const pat = await team.person('Pat Owner');
  const max = await team.person('Max Service');
  const board = await team.board('Badges', [pat, max]);
  await team.role(board, pat, 'product_owner');
  await team.role(board, max, 'maintenance');
  const doing = await team.column(board, 'maintenance', 'In progress');
  const [story, other] = await team.cards(board, ['Saved cards', 'Not in the release']);
  const [fix] = await team.cards(board, ['Receipt layout fix'], { stream: 'maintenance' });
  await team.admin.send('POST', `/api/boards/${board.id}/cards/${fix!.id}/move`, { columnId: doing.id });
  const release = await team.admin.send<Release>('POST', releases(board), {
    version: '9.1.0',
    stream: 'development',
  });
  await team.admin.send('POST', `${releases(board)}/${release.id}/scope`, { add: [story!.id, fix!.id] });

  const backlog = await openBoardAs(pat, board);
  const kanban = await openBoardAs(max, board);
  await showView(kanban, 'Kanban');
  await expect(cardRow(backlog, story!.key)).toBeVisible();
  await expect(boardCard(kanban, fix!.key)).toBeVisible();
  await expect(backlog.getByTestId('hypercare-badge')).toHaveCount(0);
  await expect(kanban.getByTestId('hypercare-badge')).toHaveCount(0);

  await takeLive(team, board, release, pat, max);
  await expect(cardRow(backlog, story!.key).getByTestId('hypercare-badge')).toHaveText('hyper-care');
  await expect(cardRow(backlog, fix!.key).getByTestId('hypercare-badge')).toHaveText('hyper-care');
  await expect(cardRow(backlog, other!.key).getByTestId('hypercare-badge')).toHaveCount(0);
  await expect(boardCard(kanban, fix!.key).getByTestId('hypercare-badge')).toHaveText('hyper-care');
  if (process.env.SCREENSHOT_DOCS) {
    await backlog.screenshot({ path: 'test-results/badges-backlog.png' });
    await kanban.screenshot({ path: 'test-results/badges-kanban.png' });
  }
  await cardRow(backlog, story!.key).click();
  await expect(backlog.getByTestId('card-panel').getByTestId('hypercare-badge')).toHaveText('hyper-care');

  // A screen opened now reads the running hyper-care with the board.
  const late = await openBoardAs(max, board);
  await expect(cardRow(late, story!.key).getByTestId('hypercare-badge')).toHaveText('hyper-care');

  await team.admin.send('POST', `${releases(board)}/${release.id}/hypercare/exit`, { reason: 'quiet week' });
  await expect(backlog.getByTestId('card-panel').getByTestId('hypercare-badge')).toHaveCount(0);
  await expect(cardRow(backlog, story!.key).getByTestId('hypercare-badge')).toHaveCount(0);
  await expect(boardCard(kanban, fix!.key).getByTestId('hypercare-badge')).toHaveCount(0);
  await expect(cardRow(late, story!.key).getByTestId('hypercare-badge')).toHaveCount(0);
});
