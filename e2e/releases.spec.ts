/**
 * Releases on the path to live, in two (or three) browsers: a release planned and filled by dragging
 * cards onto it, a failed deployment stopping it and raising a defect, a firebreak approved, and the
 * go-live refused for a card's author and approved by others. What is not the point of a story is
 * arranged through the public API.
 */

import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { APIRequestContext, Page } from '@playwright/test';
import type { Board, Card } from '../protocol/model.ts';
import type { InstallationWithSecret } from '../protocol/plugin.ts';
import type {
  CreateReleaseInput,
  DeploymentReportInput,
  Release,
  ReleaseSettings,
} from '../protocol/releases.ts';
import { Api, boardCard, cardRow, dragOnto, expect, type Person, showView, test } from './fixtures.ts';

type Reporter = Pick<Api, 'send'>;

const releases = (board: Board) => `/api/boards/${board.id}/releases`;

function planRelease(api: Reporter, board: Board, input: CreateReleaseInput): Promise<Release> {
  return api.send<Release>('POST', releases(board), input);
}

async function addToScope(api: Reporter, board: Board, release: Release, cards: Card[]): Promise<Release> {
  return api.send<Release>('POST', `${releases(board)}/${release.id}/scope`, { add: cards.map((c) => c.id) });
}

/** A run CI reports for the release (success or failure) through the release API. */
async function reportRun(api: Reporter, board: Board, release: Release, report: DeploymentReportInput) {
  return api.send<{ release: Release; duplicate: boolean }>(
    'POST',
    `${releases(board)}/${release.id}/runs`,
    report,
  );
}

/** Successful deployments, in order, up to and including `until`. */
async function deployThrough(api: Reporter, board: Board, release: Release, until: string, url?: string) {
  for (const environment of release.environments) {
    await reportRun(api, board, release, {
      environment,
      runId: `deploy-${environment}-${release.version}`,
      kind: 'deployment',
      outcome: 'success',
      ...(environment === until && url ? { environmentUrl: url } : {}),
    });
    if (environment === until) return;
  }
}

/** GitHub's own `deployment_status` delivery (the plugin's fixture), for one deployment of `commit`. */
const GITHUB_FAILURE = JSON.parse(
  readFileSync(
    new URL('../plugins/github-deployments/fixtures/deployment_status.failure.json', import.meta.url),
    'utf8',
  ),
);
const COMMIT = GITHUB_FAILURE.deployment.sha as string;

/** The board's GitHub deployments integration, installed through the API: its inbound URL and secret. */
function installGithubDeployments(api: Reporter, board: Board): Promise<InstallationWithSecret> {
  return api.send<InstallationWithSecret>('POST', `/api/boards/${board.id}/plugins`, {
    pluginId: 'github-deployments',
    name: 'GitHub deployments',
  });
}

/**
 * GitHub reports a failed deployment of `COMMIT` in `environment`: a real `deployment_status`
 * webhook delivery, signed with the installation's secret (X-Hub-Signature-256). The run is
 * `github:<deployment id>:<status id>`; its page the status's log URL.
 */
async function reportFailedDeployment(
  http: APIRequestContext,
  hook: InstallationWithSecret,
  environment: string,
  deploymentId: number,
) {
  const runUrl = `https://ci.example/runs/${deploymentId}`;
  const payload = structuredClone(GITHUB_FAILURE);
  payload.deployment.id = deploymentId;
  payload.deployment.ref = COMMIT; // no tag: the release is found by its commit
  payload.deployment.environment = environment;
  payload.deployment.original_environment = environment;
  payload.deployment_status.environment = environment;
  payload.deployment_status.log_url = runUrl;
  payload.deployment_status.target_url = runUrl;
  const body = JSON.stringify(payload);
  const signature = createHmac('sha256', hook.secret).update(body).digest('hex');
  const res = await http.post(hook.inboundUrl, {
    data: body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'deployment_status',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': `sha256=${signature}`,
    },
  });
  expect(res.status()).toBe(202);
  return { runId: `github:${deploymentId}:${payload.deployment_status.id}`, runUrl };
}

async function showReleases(page: Page) {
  await page.getByRole('tab', { name: 'Releases' }).click();
  await expect(page.getByRole('tab', { name: 'Releases' })).toHaveAttribute('aria-selected', 'true');
}

async function showBacklog(page: Page) {
  await page.getByRole('tab', { name: 'Backlog' }).click();
  await expect(page.getByRole('tab', { name: 'Backlog' })).toHaveAttribute('aria-selected', 'true');
}

const scheduleRow = (page: Page, version: string) =>
  page.locator(`[data-testid="schedule-row"][data-version="${version}"]`);

/** The Releases tab, then the release's row in the schedule: its page. */
async function openRelease(page: Page, version: string) {
  await showReleases(page);
  await scheduleRow(page, version).click();
  await expect(page.getByTestId('release-version')).toHaveText(version);
}

const step = (page: Page, environment: string) =>
  page.getByTestId('pipeline').locator(`[data-testid="pipeline-step"][data-environment="${environment}"]`);
const detailState = (page: Page) => page.getByTestId('release-detail').getByTestId('release-state').first();

async function signedIn(person: Person): Promise<Api> {
  return Api.signIn(person.email, person.password);
}

test('a release is planned and two cards are dragged onto it; the other browser sees scope and schedule change', async ({
  team,
  openBoardAs,
}) => {
  test.slow(); // two or three browsers on two shared cores
  const pat = await team.person('Pat Owner');
  const dev = await team.person('Dee Veloper');
  const board = await team.board('Payments releases', [pat, dev]);
  await team.role(board, pat, 'product_owner');
  const [phone, refund] = await team.cards(board, ['Pay by phone', 'Refund to card', 'Tidy the footer']);
  await planRelease(team.admin, board, { version: '2.3.0', stream: 'development', targetDate: '2027-01-05' });
  await planRelease(team.admin, board, { version: '3.0.0', stream: 'maintenance' });

  const po = await openBoardAs(pat, board);
  const other = await openBoardAs(dev, board);
  await showReleases(other);
  await expect(other.getByTestId('schedule-row')).toHaveCount(2);

  // Pat plans 2.4.0 for mid-January; the developer's schedule takes it in between, by date.
  await showReleases(po);
  const form = po.getByTestId('plan-release');
  await form.getByLabel('Version').fill('2.4.0');
  await form.getByLabel('Target date').fill('2027-01-15');
  await form.getByRole('button', { name: 'Plan release' }).click();
  await expect(po.getByTestId('release-version')).toHaveText('2.4.0');
  await expect
    .poll(() =>
      other
        .getByTestId('schedule-row')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-version'))),
    )
    .toEqual(['2.3.0', '2.4.0', '3.0.0']);
  await scheduleRow(other, '2.4.0').click();
  await expect(other.getByTestId('release-scope')).toHaveCount(0);

  // In the backlog she drags two cards onto the release with the mouse.
  await showBacklog(po);
  const zone = po.locator('[data-testid="release-zone"][data-version="2.4.0"]');
  const zoneLit = po.locator('[data-testid="release-zone"][data-version="2.4.0"][data-drop-target="true"]');
  await dragOnto(po, cardRow(po, phone!.key), zone, zoneLit);
  await expect(zone.getByTestId('release-zone-count')).toHaveText('1 card');
  await dragOnto(po, cardRow(po, refund!.key), zone, zoneLit);
  await expect(zone.getByTestId('release-zone-count')).toHaveText('2 cards');

  // The developer, on the release's page, sees the scope fill without reloading; the schedule too.
  await expect(other.getByTestId('scope-card')).toHaveText([new RegExp(phone!.key), new RegExp(refund!.key)]);
  await expect(scheduleRow(other, '2.4.0').getByTestId('schedule-scope')).toHaveText('2 cards');
  // The cards stayed in the backlog where they were, and the server holds the scope.
  const held = await team.admin.send<Release[]>('GET', releases(board));
  expect(held.find((r) => r.version === '2.4.0')?.cardIds.sort()).toEqual([phone!.id, refund!.id].sort());

  // A card's panel says which release it travels in.
  await showBacklog(other);
  await cardRow(other, phone!.key).click();
  await expect(other.getByTestId('card-release')).toHaveText('Release 2.4.0');
});

test('a Kanban card dragged onto a release joins its scope and stays in its column; the other browser sees it', async ({
  team,
  openBoardAs,
}) => {
  test.slow(); // two browsers on two shared cores
  const pat = await team.person('Pat Owner');
  const dev = await team.person('Dee Veloper');
  const board = await team.board('Service releases', [pat, dev]);
  await team.role(board, pat, 'product_owner');
  const ready = await team.column(board, 'maintenance', 'Ready');
  const [fix] = await team.cards(board, ['Fix the login timeout'], {
    type: 'incident',
    stream: 'maintenance',
  });
  await team.admin.send('POST', `/api/boards/${board.id}/cards/${fix!.id}/move`, { columnId: ready.id });
  await planRelease(team.admin, board, { version: '3.1.0', stream: 'maintenance' });

  const po = await openBoardAs(pat, board);
  const other = await openBoardAs(dev, board);
  await openRelease(other, '3.1.0');
  await expect(other.getByTestId('release-scope')).toHaveCount(0);

  // On the Kanban she drags the ticket onto the release in the strip above the columns.
  await showView(po, 'Kanban');
  const zone = po.locator('[data-testid="release-strip"] [data-testid="release-zone"][data-version="3.1.0"]');
  const zoneLit = zone.and(po.locator('[data-drop-target="true"]'));
  await dragOnto(po, boardCard(po, fix!.key), zone, zoneLit);
  await expect(zone.getByTestId('release-zone-count')).toHaveText('1 card');

  // The other browser sees the release's scope take it in; the ticket did not move column.
  await expect(other.getByTestId('scope-card')).toHaveText([new RegExp(fix!.key)]);
  const held = await team.admin.send<Release[]>('GET', releases(board));
  expect(held.find((r) => r.version === '3.1.0')?.cardIds).toEqual([fix!.id]);
  const cards = await team.admin.send<Card[]>('GET', `/api/boards/${board.id}/cards`);
  expect(cards.find((c) => c.id === fix!.id)?.columnId).toBe(ready.id);
  await expect(
    po.locator(
      `[data-testid="kanban-cell"][data-column-name="Ready"] [data-testid="board-card"][data-key="${fix!.key}"]`,
    ),
  ).toBeVisible();
});

test('a sprint-board card dragged onto a release joins its scope and stays in the sprint', async ({
  team,
  openBoardAs,
}) => {
  test.slow(); // two browsers on two shared cores
  const pat = await team.person('Pat Owner');
  const dev = await team.person('Dee Veloper');
  const board = await team.board('Sprint releases', [pat, dev]);
  await team.role(board, pat, 'product_owner');
  const base = `/api/boards/${board.id}`;
  const [story] = await team.cards(board, ['Pay by card'], { estimate: 3 });
  const sprint = await team.admin.send<{ id: string }>('POST', `${base}/sprints`, { name: 'Sprint 1' });
  await team.admin.send('POST', `${base}/cards/${story!.id}/move`, { sprintId: sprint.id });
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  await team.admin.send('POST', `${base}/sprints/${sprint.id}/start`, {
    goal: 'Pay',
    startDate: day(0),
    endDate: day(10),
  });
  await planRelease(team.admin, board, { version: '4.0.0', stream: 'development' });

  const po = await openBoardAs(pat, board);
  const other = await openBoardAs(dev, board);
  await openRelease(other, '4.0.0');

  await showView(po, 'Sprint board');
  const zone = po.locator('[data-testid="release-strip"] [data-testid="release-zone"][data-version="4.0.0"]');
  const zoneLit = zone.and(po.locator('[data-drop-target="true"]'));
  await dragOnto(po, boardCard(po, story!.key), zone, zoneLit);
  await expect(zone.getByTestId('release-zone-count')).toHaveText('1 card');

  await expect(other.getByTestId('scope-card')).toHaveText([new RegExp(story!.key)]);
  const cards = await team.admin.send<Card[]>('GET', `/api/boards/${board.id}/cards`);
  expect(cards.find((c) => c.id === story!.id)?.sprintId).toBe(sprint.id);
});

test('a failed deployment stops the release: both browsers show the stop with its run, and the defect on the backlog', async ({
  team,
  openBoardAs,
  request,
}) => {
  test.slow(); // two or three browsers on two shared cores
  const pat = await team.person('Pat Owner');
  const dev = await team.person('Dee Veloper');
  const board = await team.board('Payments stop the line', [pat, dev]);
  await team.role(board, pat, 'product_owner');
  const cards = await team.cards(board, ['Pay by phone']);
  const github = await installGithubDeployments(team.admin, board);
  const release = await planRelease(team.admin, board, {
    version: '5.0.0',
    stream: 'development',
    commit: COMMIT,
  });
  await addToScope(team.admin, board, release, cards);
  await deployThrough(team.admin, board, release, 'test');

  const po = await openBoardAs(pat, board);
  const other = await openBoardAs(dev, board);
  for (const page of [po, other]) {
    await openRelease(page, '5.0.0');
    await expect(step(page, 'test')).toHaveAttribute('data-status', 'current');
    await expect(step(page, 'system-test')).toHaveAttribute('data-status', 'not_reached');
  }

  const run = await reportFailedDeployment(request, github, 'system-test', 4711);

  for (const page of [po, other]) {
    await expect(step(page, 'system-test')).toHaveAttribute('data-status', 'stopped');
    await expect(step(page, 'system-test').getByTestId('failed-run')).toHaveText(run.runId);
    await expect(step(page, 'system-test').getByTestId('failed-run')).toHaveAttribute('href', run.runUrl);
    await expect(step(page, 'test')).toHaveAttribute('data-status', 'passed');
    await expect(detailState(page)).toHaveText('Stopped');
    await expect(page.getByTestId('release-stop')).toContainText(run.runId);
    await expect(scheduleRow(page, '5.0.0')).toHaveAttribute('data-state', 'stopped');
    // The raised defect joined the release's scope…
    await expect(page.getByTestId('scope-card')).toHaveCount(2);
  }
  // …and sits on top of both backlogs.
  for (const page of [po, other]) {
    await showBacklog(page);
    const defect = page.getByTestId('card').first();
    await expect(defect).toContainText('Release 5.0.0 stopped in system-test');
  }
});

test('a firebreak holds the release until a manual test is recorded and both named roles approve', async ({
  team,
  openBoardAs,
}) => {
  test.slow(); // two or three browsers on two shared cores
  const pat = await team.person('Pat Owner');
  const max = await team.person('Max Service');
  const board = await team.board('Payments firebreak', [pat, max]);
  await team.role(board, pat, 'product_owner');
  await team.role(board, max, 'maintenance');
  const release = await planRelease(team.admin, board, {
    version: '6.1.0',
    stream: 'development',
    firebreak: {
      environment: 'pre-production',
      reason: 'Schema change: the orders table',
      approvers: ['product_owner', 'maintenance'],
    },
  });
  await deployThrough(team.admin, board, release, 'pre-production');

  const po = await openBoardAs(pat, board);
  const ams = await openBoardAs(max, board);
  for (const page of [po, ams]) {
    await openRelease(page, '6.1.0');
    await expect(detailState(page)).toHaveText('Firebreak');
    await expect(step(page, 'pre-production')).toHaveAttribute('data-status', 'firebreak');
    await expect(page.getByTestId('firebreak')).toContainText('Schema change: the orders table');
  }
  // The product owner may not approve for the maintenance team, nor it for her.
  await expect(po.getByRole('button', { name: 'Approve as Maintenance' })).toHaveCount(0);

  // Pat records the manual test; Max sees it.
  const record = po.getByRole('form', { name: 'Record a manual test result' });
  await record.getByLabel('Test name').fill('Refund journey on the new schema');
  await record.getByRole('button', { name: 'Record' }).click();
  await expect(ams.getByTestId('manual-test')).toHaveText([/Refund journey on the new schema/]);

  // Both approve, each in their role; the release goes on, on both screens.
  await po.getByRole('button', { name: 'Approve as Product owner' }).click();
  await expect(
    ams.locator('[data-testid="firebreak-approvers"] [data-role="product_owner"]'),
  ).toHaveAttribute('data-approved', 'true');
  await expect(detailState(ams)).toHaveText('Firebreak');
  await ams.getByRole('button', { name: 'Approve as Maintenance' }).click();
  for (const page of [po, ams]) {
    await expect(detailState(page)).toHaveText('On the path');
    await expect(page.getByTestId('firebreak')).toHaveAttribute('data-cleared', 'true');
    await expect(step(page, 'pre-production')).toHaveAttribute('data-status', 'current');
  }
  // The pipeline may deploy on now: the gate says so, and the shadow deployment moves it on.
  const gate = await team.admin.send<{ allowed: boolean }>(
    'GET',
    `${releases(board)}/${release.id}/gate?environment=production-shadow`,
  );
  expect(gate.allowed).toBe(true);
  await deployThrough(team.admin, board, release, 'production-shadow', 'https://shadow.example/6.1.0');
  for (const page of [po, ams]) {
    await expect(detailState(page)).toHaveText('Awaiting go');
    await expect(page.getByTestId('shadow-url')).toHaveText('https://shadow.example/6.1.0');
  }
});

test("go-live is refused for a card's author and approved by others with the readiness checklist done", async ({
  team,
  openBoardAs,
}) => {
  test.slow(); // two or three browsers on two shared cores
  const pat = await team.person('Pat Owner');
  const mia = await team.person('Mia Author');
  const max = await team.person('Max Service');
  const board = await team.board('Payments go-live', [pat, mia, max]);
  await team.role(board, pat, 'product_owner');
  await team.role(board, mia, 'maintenance');
  await team.role(board, max, 'maintenance');
  // Mia wrote the card that travels in the release.
  const miaApi = await signedIn(mia);
  const written = await miaApi.send<Card>('POST', `/api/boards/${board.id}/cards`, {
    title: 'Faster refunds',
    type: 'enhancement',
    stream: 'maintenance',
  });
  await miaApi.dispose();
  const release = await planRelease(team.admin, board, { version: '7.0.0', stream: 'maintenance' });
  await addToScope(team.admin, board, release, [written]);
  await deployThrough(team.admin, board, release, 'production-shadow', 'https://shadow.example/7.0.0');

  const author = await openBoardAs(mia, board);
  const po = await openBoardAs(pat, board);
  const ams = await openBoardAs(max, board);
  for (const page of [author, po, ams]) {
    await openRelease(page, '7.0.0');
    await expect(detailState(page)).toHaveText('Awaiting go');
  }

  // Mia may decide in her role, but not on work she did: the server refuses, the page says why.
  await author.getByRole('button', { name: 'Go', exact: true }).click();
  await expect(author.getByTestId('verdict-refused')).toContainText('separation of duties');
  await expect(po.getByTestId('verdict')).toHaveCount(0);

  // Pat works through the readiness checklist: three ticked, one waived with a reason.
  const readiness = po.getByTestId('readiness');
  for (const key of ['runbook', 'monitoring', 'service-desk']) {
    const item = readiness.locator(`[data-testid="readiness-item"][data-key="${key}"]`);
    await item.getByRole('checkbox').check();
    await expect(item).toHaveAttribute('data-done', 'true');
  }
  const knownErrors = readiness.locator('[data-testid="readiness-item"][data-key="known-errors"]');
  await knownErrors.getByRole('button', { name: 'Waive…' }).click();
  await knownErrors.getByLabel('Reason for waiving').fill('No known errors: the change is behind a switch');
  await knownErrors.getByRole('button', { name: 'Waive', exact: true }).click();
  await expect(knownErrors).toHaveAttribute('data-waived', 'true');
  await expect(ams.getByTestId('readiness-summary')).toHaveText('complete');

  // Pat and Max, who did not work on it, say go; it goes live on every screen.
  await po.getByLabel('Reason for the verdict').fill('Shadow verified by the service desk');
  await po.getByRole('button', { name: 'Go', exact: true }).click();
  await expect(ams.getByTestId('verdict')).toHaveCount(1);
  await expect(detailState(ams)).toHaveText('Awaiting go');
  await ams.getByRole('button', { name: 'Go', exact: true }).click();
  for (const page of [author, po, ams]) {
    await expect(detailState(page)).toHaveText('Live');
    await expect(page.getByTestId('verdict')).toHaveCount(2);
    await expect(scheduleRow(page, '7.0.0')).toHaveAttribute('data-state', 'live');
    await expect(step(page, 'live')).toHaveAttribute('data-status', 'passed');
  }
  await expect(po.getByTestId('verdict').first()).toContainText('Pat Owner');
  await expect(po.getByTestId('verdict').first()).toContainText('Shadow verified by the service desk');
});

test('what users must do, edited in one browser, shows in the other; notes are generated from the scope', async ({
  team,
  openBoardAs,
}) => {
  test.slow(); // two browsers on two shared cores
  const pat = await team.person('Pat Owner');
  const dev = await team.person('Dee Veloper');
  const board = await team.board('Payments release notes', [pat, dev]);
  await team.role(board, pat, 'product_owner');
  const [phone] = await team.cards(board, ['Pay by phone']);
  const release = await planRelease(team.admin, board, {
    version: '8.0.0',
    stream: 'development',
    commit: COMMIT,
  });
  await addToScope(team.admin, board, release, [phone!]);

  const po = await openBoardAs(pat, board);
  const other = await openBoardAs(dev, board);
  for (const page of [po, other]) await openRelease(page, '8.0.0');
  await expect(other.getByTestId('release-commit')).toHaveText(COMMIT.slice(0, 12));
  // The developer may read, not edit.
  await expect(other.getByTestId('edit-release')).toHaveCount(0);

  await po.getByTestId('edit-release').click();
  const form = po.getByTestId('release-edit');
  await form.getByLabel('What users must do').fill('Sign in again after the upgrade.');
  await form.getByLabel('When (users affected)').fill('Sat 02:00–03:00 CET, 10 min downtime');
  await form.getByLabel('Tag').fill('v8.0.0');
  await form.getByLabel('Shadow URL').fill('https://shadow-8.payments.example');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(po.getByTestId('release-edit')).toHaveCount(0);
  await expect(other.getByTestId('release-user-actions')).toHaveText('Sign in again after the upgrade.');
  await expect(other.getByTestId('release-window')).toHaveText('Sat 02:00–03:00 CET, 10 min downtime');
  await expect(other.getByTestId('release-tag')).toHaveText('v8.0.0');
  await expect(other.getByTestId('release-commit')).toHaveText(COMMIT.slice(0, 12));
  await expect(other.getByTestId('shadow-url')).toHaveText('https://shadow-8.payments.example');

  await po.getByTestId('generate-notes').click();
  for (const page of [po, other])
    await expect(page.getByTestId('release-notes')).toContainText(`${phone!.key} Pay by phone`);
  const held = await team.admin.send<Release>('GET', `${releases(board)}/${release.id}`);
  expect(held.userActions).toBe('Sign in again after the upgrade.');
  expect(held.notes).toContain('Pay by phone');
});

test('a check added in the path-to-live settings is saved and shown when they are opened again', async ({
  team,
  openBoardAs,
}) => {
  const pat = await team.person('Pat Owner');
  const board = await team.board('Payments settings', [pat]);
  await team.role(board, pat, 'product_owner');
  const po = await openBoardAs(pat, board);
  await showReleases(po);

  await po.getByTestId('release-settings-open').click();
  const dialog = po.getByTestId('release-settings');
  const checks = dialog.getByLabel('Checks run in system-test, one a line');
  await checks.fill('smoke\ncontract-tests');
  await dialog.getByTestId('release-settings-save').click();
  await expect(dialog).toHaveCount(0);
  const saved = await team.admin.send<ReleaseSettings>('GET', `/api/boards/${board.id}/release-settings`);
  expect(saved.custom).toBe(true);
  expect(saved.environments.find((e) => e.name === 'system-test')?.checks).toEqual([
    'smoke',
    'contract-tests',
  ]);

  await po.getByTestId('release-settings-open').click();
  await expect(
    po.getByTestId('release-settings').getByLabel('Checks run in system-test, one a line'),
  ).toHaveValue('smoke\ncontract-tests');
  // A live environment with checks is refused; the dialog shows the server's message naming the field.
  await po.getByTestId('release-settings').getByLabel('Checks run in live, one a line').fill('smoke');
  await po.getByTestId('release-settings-save').click();
  await expect(po.getByTestId('release-settings-problem')).toContainText('environments.');
});

test('the calendar feed URL is shown once and asking again replaces it; a release cancelled with a reason shows it in both browsers', async ({
  team,
  openBoardAs,
  request,
}) => {
  test.slow(); // two browsers on two shared cores
  const pat = await team.person('Pat Owner');
  const dev = await team.person('Dee Veloper');
  const board = await team.board('Payments calendar', [pat, dev]);
  await team.role(board, pat, 'product_owner');
  await planRelease(team.admin, board, { version: '9.0.0', stream: 'development', targetDate: '2027-02-01' });
  const po = await openBoardAs(pat, board);
  const other = await openBoardAs(dev, board);
  await expect(other.getByTestId('calendar-feed-button')).toHaveCount(0);

  await showReleases(po);
  await po.getByTestId('calendar-feed-button').click();
  const first = await po.getByTestId('calendar-feed-url').inputValue();
  expect(first).toMatch(/\/releases\.ics\?token=/);
  await expect(po.getByTestId('calendar-feed')).toContainText('replaces it');
  const feed = await request.get(first);
  expect(feed.status()).toBe(200);
  expect(await feed.text()).toContain('BEGIN:VCALENDAR');
  await po.getByTestId('calendar-feed-button').click();
  await expect(po.getByTestId('calendar-feed-url')).not.toHaveValue(first);
  expect((await request.get(first)).status()).toBe(401);

  for (const page of [po, other]) await openRelease(page, '9.0.0');
  await po.getByTestId('cancel-release').click();
  await po.getByLabel('Reason for cancelling').fill('Superseded by 9.1.0');
  await po
    .getByRole('form', { name: 'Cancel release' })
    .getByRole('button', { name: 'Cancel release' })
    .click();
  for (const page of [po, other]) {
    await expect(page.getByTestId('release-cancelled')).toHaveText('Cancelled: Superseded by 9.1.0');
    await expect(scheduleRow(page, '9.0.0')).toHaveAttribute('data-state', 'cancelled');
  }
  await expect(po.getByTestId('edit-release')).toHaveCount(0);
});

test('an edit made on a revision someone else changed meanwhile is refused and the page reloads the release', async ({
  team,
  openBoardAs,
}) => {
  const pat = await team.person('Pat Owner');
  const board = await team.board('Payments stale edit', [pat]);
  await team.role(board, pat, 'product_owner');
  const release = await planRelease(team.admin, board, { version: '9.5.0', stream: 'development' });
  const po = await openBoardAs(pat, board);
  await openRelease(po, '9.5.0');
  await po.getByTestId('edit-release').click();
  await po.getByTestId('release-edit').getByLabel('What users must do').fill('Nothing at all.');

  // Meanwhile someone else edits it.
  await team.admin.send('PATCH', `${releases(board)}/${release.id}`, {
    revision: release.revision,
    userActions: 'Restart the app.',
  });
  await po.getByTestId('release-edit').getByRole('button', { name: 'Save' }).click();
  await expect(po.getByTestId('release-edit-problem')).toContainText('changed by someone else — reloaded');
  await expect(po.getByTestId('release-edit').getByLabel('What users must do')).toHaveValue(
    'Restart the app.',
  );
  const held = await team.admin.send<Release>('GET', `${releases(board)}/${release.id}`);
  expect(held.userActions).toBe('Restart the app.');
});

test('a signed GitHub deployment_status to the shadow with its environment_url shows the shadow URL and its verification runs live in the other browser', async ({
  team,
  openBoardAs,
  request,
}) => {
  test.slow(); // two browsers on two shared cores
  const pat = await team.person('Pat Owner');
  const dev = await team.person('Dee Veloper');
  const board = await team.board('Payments shadow', [pat, dev]);
  await team.role(board, pat, 'product_owner');
  // The shadow runs a smoke test and a synthetic payment after each deployment.
  const { custom: _, ...settings } = await team.admin.send<ReleaseSettings>(
    'GET',
    `/api/boards/${board.id}/release-settings`,
  );
  await team.admin.send('PUT', `/api/boards/${board.id}/release-settings`, {
    ...settings,
    environments: settings.environments.map((e) =>
      e.name === 'production-shadow' ? { ...e, checks: ['smoke', 'synthetic-payment'] } : e,
    ),
  });
  const github = await installGithubDeployments(team.admin, board);
  const release = await planRelease(team.admin, board, {
    version: '8.0.0',
    stream: 'development',
    commit: COMMIT,
  });
  await addToScope(team.admin, board, release, await team.cards(board, ['Pay by bank transfer']));
  await deployThrough(team.admin, board, release, 'pre-production');

  const po = await openBoardAs(pat, board);
  const other = await openBoardAs(dev, board);
  for (const page of [po, other]) {
    await openRelease(page, '8.0.0');
    await expect(page.getByTestId('shadow-url')).toHaveText('not deployed yet');
    await expect(page.locator('[data-testid="runs-environment"]')).toHaveCount(3);
  }
  // What must never happen: the other browser shows a shadow URL that is not the environment's.
  await other.evaluate(() => {
    const w = window as unknown as { wrongShadow: string[] };
    w.wrongShadow = [];
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid="shadow-url"]')?.textContent?.trim() ?? '';
      if (text !== 'not deployed yet' && text !== 'https://shadow-8-0-0.payments.example')
        w.wrongShadow.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });

  // GitHub's own delivery: production (the board's production shadow) succeeded, with its environment URL.
  const payload = JSON.parse(
    readFileSync(
      new URL(
        '../plugins/github-deployments/fixtures/deployment_status.production.success.json',
        import.meta.url,
      ),
      'utf8',
    ),
  );
  payload.deployment.id = 8080;
  payload.deployment.ref = COMMIT; // no tag: the release is found by its commit
  payload.deployment.payload = {};
  payload.deployment_status.environment_url = 'https://shadow-8-0-0.payments.example';
  payload.deployment_status.log_url = 'https://ci.example/runs/8080';
  payload.deployment_status.target_url = 'https://ci.example/runs/8080';
  const body = JSON.stringify(payload);
  const res = await request.post(github.inboundUrl, {
    data: body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'deployment_status',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': `sha256=${createHmac('sha256', github.secret).update(body).digest('hex')}`,
    },
  });
  expect(res.status()).toBe(202);
  const runId = `github:8080:${payload.deployment_status.id}`;

  for (const page of [po, other]) {
    const shadow = page.getByTestId('shadow-url');
    await expect(shadow).toHaveText('https://shadow-8-0-0.payments.example');
    await expect(shadow.getByRole('link')).toHaveAttribute('href', 'https://shadow-8-0-0.payments.example');
    const verification = page.getByTestId('shadow-verification');
    await expect(verification.locator('[data-name="deployment"]')).toHaveAttribute('data-outcome', 'success');
    await expect(verification.locator('[data-name="smoke"]')).toHaveAttribute('data-outcome', 'pending');
    const shadowRuns = page.locator('[data-testid="runs-environment"][data-environment="production-shadow"]');
    await expect(shadowRuns.getByTestId('run')).toHaveCount(1);
    await expect(shadowRuns.getByTestId('run')).toHaveAttribute('data-run-id', runId);
    await expect(shadowRuns.getByTestId('run')).toContainText('plugin github-deployments');
    await expect(shadowRuns.getByRole('link', { name: runId })).toHaveAttribute(
      'href',
      'https://ci.example/runs/8080',
    );
    await expect(step(page, 'production-shadow')).toHaveAttribute('data-status', 'current');
  }

  // The shadow's checks report in; each result appears beside the shadow URL without a reload.
  const devApi = await signedIn(dev);
  await reportRun(devApi, board, release, {
    environment: 'production-shadow',
    runId: 'smoke-8080',
    kind: 'check',
    check: 'smoke',
    outcome: 'success',
    url: 'https://ci.example/checks/smoke-8080',
  });
  await reportRun(devApi, board, release, {
    environment: 'production-shadow',
    runId: 'synthetic-8080',
    kind: 'check',
    check: 'synthetic-payment',
    outcome: 'failure',
    url: 'https://ci.example/checks/synthetic-8080',
  });
  for (const page of [po, other]) {
    const verification = page.getByTestId('shadow-verification');
    await expect(verification.locator('[data-name="smoke"]')).toHaveAttribute('data-outcome', 'success');
    await expect(verification.locator('[data-name="synthetic-payment"]')).toHaveAttribute(
      'data-outcome',
      'failure',
    );
    await expect(
      page
        .locator('[data-testid="runs-environment"][data-environment="production-shadow"]')
        .getByTestId('run'),
    ).toHaveCount(3);
  }
  expect(await other.evaluate(() => (window as unknown as { wrongShadow: string[] }).wrongShadow)).toEqual(
    [],
  );

  if (process.env.SCREENSHOTS) {
    // The release pane scrolls on its own: a taller window shows the runs too.
    await other.setViewportSize({ width: 1440, height: 1500 });
    await other.screenshot({ path: 'docs/release-detail.png' });
  }
});
