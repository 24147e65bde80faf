/**
 * The README's pictures of the board: the backlog at 1440 px and 390 px, light and dark. Taken only
 * when SCREENSHOT_DOCS is set (`SCREENSHOT_DOCS=1 npx playwright test e2e/readme-screenshots.spec.ts`).
 */
import { expect, test } from './fixtures.ts';
import { showcase } from './showcase.ts';

test('the board at 1440 px and 390 px, light and dark, for the README', async ({ team, openBoardAs }) => {
  test.skip(!process.env.SCREENSHOT_DOCS, 'README screenshots are taken on request');
  test.slow();
  const { board, dev } = await showcase(team, 'Checkout');
  for (const width of [1440, 390] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      const viewport = width === 1440 ? { width, height: 900 } : { width, height: 844 };
      const page = await openBoardAs(dev, board, undefined, { viewport, colorScheme: scheme });
      await expect(page.getByTestId('card').first()).toBeVisible();
      await expect(page.getByTestId('sprint-planner')).toBeVisible();
      await page.screenshot({ path: `docs/board-${width}-${scheme}.png` });
      await page.context().close();
    }
  }
});
