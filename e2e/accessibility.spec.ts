/**
 * Accessibility, checked by axe-core on every page a team member or an administrator reaches: the
 * backlog, the sprint board, the Kanban, Reports, Releases and one release, Integrations, a card's
 * panel, the feature-flags page, sign-in and first-run setup; in the light and the dark theme, on a
 * laptop and on a phone. No critical or serious violation may be found on any of them.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from '@playwright/test';
import { ADMIN } from './env.ts';
import { expect, type Person, test } from './fixtures.ts';
import { type Showcase, showcase } from './showcase.ts';

const LAPTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

/** The critical and serious violations on the page as it is now, one readable line each. */
async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .flatMap((v) =>
      v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${n.failureSummary ?? ''}`),
    );
}

async function expectAccessible(page: Page, where: string) {
  // Soft: one run lists every page's violations, not only the first page's.
  expect.soft(await seriousViolations(page), `axe on ${where}`).toEqual([]);
}

async function signedIn(
  browser: Browser,
  who: Pick<Person, 'email' | 'password'>,
  scheme: 'light' | 'dark',
  viewport = LAPTOP,
) {
  const context = await browser.newContext({ colorScheme: scheme, viewport });
  const res = await context.request.post('/api/auth/login', {
    data: { email: who.email, password: who.password },
  });
  expect(res.status()).toBe(200);
  return context.newPage();
}

async function visitBoard(page: Page, { board, release }: Showcase, scheme: string) {
  const tag = (view: string) => `${view} (${scheme}, ${page.viewportSize()?.width} px)`;
  await page.goto(`/boards/${board.id}`);
  await expect(page.getByTestId('connection')).toHaveAttribute('data-status', 'live');
  await expect(page.getByTestId('card').first()).toBeVisible();
  // Cards were assigned to this person, so the inbox badge is up: axe checks it in both themes.
  await expect(page.getByTestId('inbox-count')).toHaveText(/^\d\d/);
  await expectAccessible(page, tag('the backlog'));

  await page.getByTestId('card').first().click();
  await expect(page.getByTestId('card-panel')).toBeVisible();
  await expectAccessible(page, tag('the card panel'));
  await page.getByTestId('card-panel').getByRole('button', { name: 'Close' }).click();

  await page.getByRole('tab', { name: 'Sprint board' }).click();
  await expect(page.getByTestId('board-card').first()).toBeVisible();
  await expectAccessible(page, tag('the sprint board'));

  await page.getByRole('tab', { name: 'Kanban' }).click();
  await expect(page.getByTestId('board-card').first()).toBeVisible();
  await expectAccessible(page, tag('the Kanban'));

  await page.getByRole('tab', { name: 'Reports' }).click();
  await expect(page.getByTestId('burndown-chart')).toBeVisible();
  await expectAccessible(page, tag('Reports'));

  await page.getByRole('tab', { name: 'Releases' }).click();
  await expect(page.getByTestId('schedule-row').first()).toBeVisible();
  await expectAccessible(page, tag('Releases'));

  await page.goto(`/boards/${board.id}/releases/${release.id}`);
  await expect(page.getByTestId('release-version')).toHaveText(release.version);
  await expectAccessible(page, tag('a release'));

  await page.getByRole('tab', { name: 'Integrations' }).click();
  await expect(page.getByRole('heading', { name: 'Integrations' })).toBeVisible();
  await expectAccessible(page, tag('Integrations'));

  // The boards list with this person's unread badge in the top bar.
  await page.goto('/');
  await expect(page.getByTestId('inbox-count')).toHaveText(/^\d\d/);
  await expectAccessible(page, tag('the boards list with unread notifications'));
}

for (const scheme of ['light', 'dark'] as const) {
  for (const [size, viewport] of [
    ['a laptop', LAPTOP],
    ['a phone', PHONE],
  ] as const) {
    test(`every board page passes axe in the ${scheme} theme on ${size}`, async ({ team, browser }) => {
      test.slow();
      const show = await showcase(team, `Axe ${scheme}`);
      // Ten or more unread for the inbox badge: axe leaves a one-character text unjudged.
      await team.cards(
        show.board,
        ['Triage the login alerts', 'Tidy the export job', 'Rotate the API keys'],
        {
          assigneeId: show.dev.id,
        },
      );
      const page = await signedIn(browser, show.dev, scheme, viewport);
      try {
        await visitBoard(page, show, scheme);
      } finally {
        await page.context().close();
      }
    });

    test(`sign-in, setup, the boards list, feature flags and the account menu pass axe in the ${scheme} theme on ${size}`, async ({
      browser,
    }) => {
      test.slow();
      const context = await browser.newContext({ colorScheme: scheme, viewport });
      try {
        const page = await context.newPage();
        await page.goto('/');
        await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
        await expectAccessible(page, `sign-in (${scheme})`);

        // First run: the server says nobody has an account yet.
        const setup = await context.newPage();
        await setup.route('**/api/auth/probe', (route) =>
          route.fulfill({ json: { user: null, csrfToken: '', setupNeeded: true } }),
        );
        await setup.goto('/');
        await expect(setup.getByRole('heading', { level: 1 })).toBeVisible();
        await expectAccessible(setup, `setup (${scheme})`);
        await setup.close();
      } finally {
        await context.close();
      }
      const admin = await signedIn(browser, ADMIN, scheme, viewport);
      try {
        await admin.goto('/');
        await expect(admin.getByTestId('signed-in-as')).toBeAttached();
        await expectAccessible(admin, `the boards list (${scheme})`);
        await admin.goto('/admin/flags');
        await expect(admin.getByRole('heading', { name: 'Feature flags' })).toBeVisible();
        await expectAccessible(admin, `feature flags (${scheme})`);
        await admin.getByTestId('user-menu-button').click();
        await expect(admin.getByTestId('user-menu')).toBeVisible();
        await expectAccessible(admin, `the user menu (${scheme})`);
        await admin.getByRole('button', { name: 'Change password…' }).click();
        await expect(admin.getByRole('dialog', { name: 'Change password' })).toBeVisible();
        await expectAccessible(admin, `the change-password dialog (${scheme})`);
      } finally {
        await admin.context().close();
      }
    });
  }
}
