/**
 * Phones and small windows: at 390 px (a phone) and 768 px (a small tablet) the backlog sits above
 * the Sprints panel instead of beside it, the Kanban and the sprint board scroll sideways inside
 * the page (never the page itself), the tabs scroll, the top bar never overlaps, a card opens as a
 * full-screen sheet, and a long press on a card picks it up with a finger.
 */
import type { Locator, Page } from '@playwright/test';
import { boardCard, expect, kanbanCell, keysIn, showView, test } from './fixtures.ts';
import { showcase } from './showcase.ts';

const PHONE = { width: 390, height: 844 };
const TABLET = { width: 768, height: 1024 };

async function box(locator: Locator) {
  const b = await locator.boundingBox();
  if (!b) throw new Error('not on screen');
  return b;
}

const overlaps = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** The page itself never scrolls sideways: only the boards inside it do. */
async function noSidewaysPageScroll(page: Page) {
  const { scroll, width } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: document.documentElement.clientWidth,
  }));
  expect(scroll).toBeLessThanOrEqual(width);
}

for (const [name, viewport] of [
  ['a phone', PHONE],
  ['a small tablet', TABLET],
] as const) {
  test(`on ${name} every board view fits: stacked backlog, scrolling boards and tabs, a full-screen card`, async ({
    team,
    openBoardAs,
  }) => {
    test.slow();
    const { board, dev, stories } = await showcase(team, `Small ${viewport.width}`);
    const page = await openBoardAs(dev, board, undefined, { viewport });

    // The top bar: breadcrumb, presence and the user's menu side by side, never on top of each other.
    const crumb = await box(page.getByTestId('board-name'));
    const me = await box(page.getByTestId('user-menu-button'));
    expect(overlaps(crumb, me)).toBe(false);
    expect(me.x + me.width).toBeLessThanOrEqual(viewport.width);

    // The backlog: the list above the Sprints panel, both full width, the list tall enough to use.
    const list = await box(page.getByTestId('backlog'));
    const sprints = await box(page.getByTestId('sprint-planner'));
    expect(sprints.y).toBeGreaterThanOrEqual(list.y + list.height - 1);
    expect(list.width).toBeGreaterThan(viewport.width - 40);
    expect(list.height).toBeGreaterThan(150);
    await expect(page.getByTestId('card').first().getByTestId('card-title')).toBeVisible();
    await noSidewaysPageScroll(page);

    // A card opens as a sheet over the whole screen, and closes back to the list.
    await page.getByTestId('card').first().click();
    const panel = page.getByTestId('card-panel');
    await expect(panel).toBeVisible();
    expect(await box(panel)).toEqual({ x: 0, y: 0, width: viewport.width, height: viewport.height });
    await panel.getByRole('button', { name: 'Close' }).click();
    await expect(panel).toHaveCount(0);

    // The Kanban and the sprint board scroll sideways inside the page.
    for (const view of ['Kanban', 'Sprint board'] as const) {
      await showView(page, view);
      const scroller = page.getByTestId(view === 'Kanban' ? 'kanban-grid' : 'sprint-columns');
      await expect(page.getByTestId('board-card').first()).toBeVisible();
      const { scrollWidth, clientWidth } = await scroller.evaluate((el) => ({
        scrollWidth: el.scrollWidth,
        clientWidth: el.clientWidth,
      }));
      expect(scrollWidth).toBeGreaterThan(clientWidth);
      await noSidewaysPageScroll(page);
    }
    await expect(boardCard(page, stories[0]!.key)).toBeVisible();

    // Every tab is reachable: the tab strip scrolls to the last one.
    await page.getByRole('tab', { name: 'Integrations' }).click();
    await expect(page.getByRole('tab', { name: 'Integrations' })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByRole('heading', { name: 'Integrations', level: 1 })).toBeInViewport();
    await noSidewaysPageScroll(page);
  });
}

/** A finger on the screen, through the browser's touch input (DevTools protocol). */
async function finger(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', x = 0, y = 0) =>
    cdp.send('Input.dispatchTouchEvent', {
      type,
      touchPoints: type === 'touchEnd' ? [] : [{ x: Math.round(x), y: Math.round(y), id: 1 }],
    });
  return { touch };
}

test('on a phone a long press picks a Kanban card up and a finger carries it to the next column', async ({
  team,
  openBoardAs,
}) => {
  test.slow();
  const { board, dev, incidents } = await showcase(team, 'Touch');
  const page = await openBoardAs(dev, board, undefined, { viewport: PHONE, hasTouch: true, isMobile: true });
  await showView(page, 'Kanban');
  const invoice = incidents[1]!.key;
  await expect.poll(() => keysIn(kanbanCell(page, 'Up next'))).toContain(invoice);

  const from = await box(boardCard(page, invoice));
  const to = await box(kanbanCell(page, 'Ready'));
  const { touch } = await finger(page);
  const start = { x: from.x + from.width / 2, y: from.y + from.height / 2 };
  await touch('touchStart', start.x, start.y);
  // Held still, the card is picked up once the long press is recognised.
  await expect(page.locator('[data-dnd-dragging]')).toHaveCount(1);
  const end = { x: to.x + Math.min(to.width / 2, (viewportWidth(page) - to.x) / 2), y: to.y + 40 };
  for (let i = 1; i <= 20; i++) {
    await touch('touchMove', start.x + ((end.x - start.x) * i) / 20, start.y + ((end.y - start.y) * i) / 20);
  }
  await expect(kanbanCell(page, 'Ready').locator(`[data-key="${invoice}"]`).first()).toBeVisible();
  await touch('touchEnd');

  await expect.poll(() => keysIn(kanbanCell(page, 'Ready'))).toContain(invoice);
  await expect.poll(() => keysIn(kanbanCell(page, 'Up next'))).not.toContain(invoice);
  // The server has it in Ready too.
  const snapshot = await team.admin.send<{ cards: { key: string; columnId: string | null }[] }>(
    'GET',
    `/api/boards/${board.id}`,
  );
  const ready = await team.column(board, 'maintenance', 'Ready');
  expect(snapshot.cards.find((c) => c.key === invoice)?.columnId).toBe(ready.id);
});

test('on a phone a quick swipe across the Kanban scrolls it and moves no card', async ({
  team,
  openBoardAs,
}) => {
  test.slow();
  const { board, dev, incidents } = await showcase(team, 'Swipe');
  const page = await openBoardAs(dev, board, undefined, { viewport: PHONE, hasTouch: true, isMobile: true });
  await showView(page, 'Kanban');
  const invoice = incidents[1]!.key;
  await expect.poll(() => keysIn(kanbanCell(page, 'Up next'))).toContain(invoice);
  const grid = page.getByTestId('kanban-grid');

  const from = await box(boardCard(page, invoice));
  const { touch } = await finger(page);
  const y = from.y + from.height / 2;
  await touch('touchStart', from.x + from.width - 10, y);
  for (let i = 1; i <= 10; i++) await touch('touchMove', from.x + from.width - 10 - 20 * i, y);
  await touch('touchEnd');

  await expect.poll(() => grid.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
  await expect(page.locator('[data-dnd-dragging], [data-dnd-placeholder]')).toHaveCount(0);
  await expect.poll(() => keysIn(kanbanCell(page, 'Up next'))).toContain(invoice);
});

function viewportWidth(page: Page): number {
  return page.viewportSize()?.width ?? PHONE.width;
}
