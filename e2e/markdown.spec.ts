/**
 * Writing on a card: a description in Markdown that reads as formatted prose, a comment that
 * mentions a colleague picked from the @ list with the keyboard, and text written to attack the
 * reader's browser that stays inert on the page.
 */
import { mkdirSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { mentionToken } from '../protocol/rules/mentions.ts';
import { Api, cardRow, expect, test } from './fixtures.ts';

const SHOTS = 'test-results/shots/markdown';
mkdirSync(SHOTS, { recursive: true });

// The shared machine is slow under load; each story opens one or two browsers.
test.describe.configure({ timeout: 180_000 });

/** Records anything an injected script could do: a dialog, or a flag set by its handler. */
async function watchForScripts(page: Page): Promise<() => Promise<string[]>> {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return async () => [
    ...dialogs,
    ...(await page.evaluate(() => ((window as unknown as { pwned?: string[] }).pwned ?? []).map(String))),
  ];
}

test('a description written in Markdown reads as formatted text once saved', async ({
  team,
  openBoardAs,
}) => {
  const dev = await team.person('Dana Writer');
  const board = await team.board('Docs', [dev]);
  const [card] = await team.cards(board, ['Export invoices as CSV']);
  const page = await openBoardAs(dev, board);

  await cardRow(page, card!.key).click();
  const panel = page.getByTestId('card-panel');
  const description = panel.getByTestId('description');
  // An empty description opens ready to write.
  await description
    .getByRole('textbox', { name: 'Description' })
    .fill(
      [
        'Finance needs a **monthly** export.',
        '',
        '- one row per invoice',
        '- totals in the footer',
        '',
        'See [the spec](https://example.com/spec).',
        '',
        '```',
        'GET /api/invoices.csv',
        '```',
      ].join('\n'),
    );
  await description.getByRole('button', { name: 'Preview' }).click();
  const preview = description.getByTestId('description-rendered');
  await expect(preview.locator('strong')).toHaveText('monthly');
  await panel.getByRole('button', { name: 'Save changes' }).click();
  await expect(panel.getByText('Saved.')).toBeVisible({ timeout: 30_000 });

  // Opened again (as a colleague would), the card reads rendered, without asking for a preview.
  const other = page;
  await other.reload();
  await cardRow(other, card!.key).click();
  const read = other.getByTestId('card-panel').getByTestId('description-rendered');
  await expect(read.locator('strong')).toHaveText('monthly');
  await expect(read.locator('ul > li')).toHaveText(['one row per invoice', 'totals in the footer']);
  await expect(read.locator('pre code')).toHaveText('GET /api/invoices.csv');
  const link = read.getByRole('link', { name: 'the spec' });
  await expect(link).toHaveAttribute('href', 'https://example.com/spec');
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  // No Markdown syntax left showing.
  await expect(read).not.toContainText('**');
  await expect(read).not.toContainText('```');

  // Back to writing shows the text as typed.
  await other.getByTestId('description').getByRole('button', { name: 'Write' }).click();
  await expect(other.getByTestId('description').getByRole('textbox')).toHaveValue(/\*\*monthly\*\*/);

  await other.getByTestId('description').getByRole('button', { name: 'Preview' }).click();
  await other.getByTestId('card-panel').screenshot({ path: `${SHOTS}/description-light.png` });
  await other.emulateMedia({ colorScheme: 'dark' });
  await expect(other.locator('html')).toHaveAttribute('data-theme', 'dark');
  await other.getByTestId('card-panel').screenshot({ path: `${SHOTS}/description-dark.png` });
});

test('a comment mentions a member picked from the @ list with the keyboard and shows them as a chip', async ({
  team,
  openBoardAs,
}) => {
  const ann = await team.person('Ann Writer');
  const bob = await team.person('Bob Builder');
  const bea = await team.person('Beatrice Tester');
  const board = await team.board('Mentions', [ann, bob, bea]);
  const [card] = await team.cards(board, ['Nightly build is red']);
  const page = await openBoardAs(ann, board);

  await cardRow(page, card!.key).click();
  const panel = page.getByTestId('card-panel');
  await panel.getByRole('tab', { name: /Comments/ }).click();
  const box = panel.getByRole('textbox', { name: 'Comment' });
  await box.click();
  await box.pressSequentially('Can you look, @');
  const list = panel.getByRole('listbox', { name: 'Mention a member' });
  await expect(list).toBeVisible();
  await expect(list.getByRole('option')).toContainText(['Ann Writer', 'Beatrice Tester', 'Bob Builder']);
  await expect(box).toHaveAttribute('aria-controls', (await list.getAttribute('id'))!);

  // Typing filters; the first match is active, arrows move.
  await box.pressSequentially('b');
  await expect(list.getByRole('option')).toHaveText(['@Beatrice Tester', '@Bob Builder']);
  await expect(list.getByRole('option', { selected: true })).toHaveText('@Beatrice Tester');
  await page.screenshot({ path: `${SHOTS}/autocomplete-light.png`, clip: (await panel.boundingBox())! });
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.screenshot({ path: `${SHOTS}/autocomplete-dark.png`, clip: (await panel.boundingBox())! });
  await page.emulateMedia({ colorScheme: 'light' });

  await box.press('ArrowDown');
  await expect(list.getByRole('option', { selected: true })).toHaveText('@Bob Builder');
  await expect(box).toHaveAttribute(
    'aria-activedescendant',
    (await list.getByRole('option', { selected: true }).getAttribute('id'))!,
  );

  // Esc closes the list and leaves the panel open; a new @ opens it again.
  await box.press('Escape');
  await expect(list).toBeHidden();
  await expect(panel).toBeVisible();
  await box.press('Backspace');
  await box.press('Backspace');
  await box.pressSequentially('@bo');
  await expect(list.getByRole('option')).toHaveText(['@Bob Builder']);
  await box.press('Enter');
  await expect(list).toBeHidden();
  await expect(box).toHaveValue(`Can you look, ${mentionToken(bob)} `);
  await box.pressSequentially('before standup?');

  await panel.getByRole('button', { name: 'Comment', exact: true }).click();
  const chip = panel.getByTestId('comments').locator('.mention');
  await expect(chip).toHaveText('@Bob Builder');
  await expect(chip).toHaveAttribute('data-user-id', bob.id);
  await expect(panel.getByTestId('comments')).toContainText('Can you look, @Bob Builder before standup?');
  await expect(panel.getByTestId('comments').locator('a')).toHaveCount(0);
});

test('a mouse click picks from the @ list too', async ({ team, openBoardAs }) => {
  const ann = await team.person('Ann Clicker');
  const bob = await team.person('Bob Picked');
  const board = await team.board('Clicks', [ann, bob]);
  const [card] = await team.cards(board, ['Write the release notes']);
  const page = await openBoardAs(ann, board);

  await cardRow(page, card!.key).click();
  const description = page.getByTestId('card-panel').getByTestId('description');
  const box = description.getByRole('textbox', { name: 'Description' });
  await box.click();
  await box.pressSequentially('Owner: @pic');
  await description.getByRole('option', { name: '@Bob Picked' }).click();
  await expect(box).toHaveValue(`Owner: ${mentionToken(bob)} `);
  await expect(box).toBeFocused();
  await description.getByRole('button', { name: 'Preview' }).click();
  await expect(description.locator('.mention')).toHaveText('@Bob Picked');
});

test('Markdown written to attack the reader stays inert text, in the card panel and on the portal', async ({
  team,
  openBoardAs,
  browser,
}) => {
  const dev = await team.person('Mal Writer');
  const board = await team.board('Inert', [dev]);
  const attacks = [
    '[click me](javascript:window.pwned=[...(window.pwned||[]),"link"])',
    '[encoded](jav&#x61;script:alert(1))',
    '<img src=x onerror="window.pwned=[...(window.pwned||[]),\'img\']">',
    '<svg onload="window.pwned=[...(window.pwned||[]),\'svg\']"><circle r=5 /></svg>',
    '<script>window.pwned=["script"]</script>',
    '![pixel](javascript:alert(1))',
    '<a href="https://example.com" onmouseover="alert(1)">hover</a>',
  ];
  const [card] = await team.cards(board, ['Harmless looking card'], { description: attacks.join('\n\n') });
  await team.admin.send('POST', `/api/boards/${board.id}/cards/${card!.id}/comments`, {
    body: attacks.join('\n\n'),
  });

  const page = await openBoardAs(dev, board);
  const ran = await watchForScripts(page);
  await cardRow(page, card!.key).click();
  const panel = page.getByTestId('card-panel');
  const description = panel.getByTestId('description-rendered');
  await expect(description).toContainText('click me');
  await expectInert(description);
  await panel.getByRole('tab', { name: /Comments/ }).click();
  const comment = panel.getByTestId('comment-body');
  await expectInert(comment);
  expect(await ran()).toEqual([]);
  expect(page.url()).toContain(`/boards/${board.id}`);

  // A requester's own words on the portal are rendered by the same rules.
  const carol = await team.person('Carol Requester');
  await team.admin.send('PUT', `/api/boards/${board.id}/requesters`, { email: carol.email });
  const carolApi = await Api.signIn(carol.email, carol.password);
  const request = await carolApi.send<{ id: string }>('POST', `/api/portal/boards/${board.id}/requests`, {
    requestType: 'change',
    title: 'Please look',
    description: attacks.join('\n\n'),
  });
  await carolApi.send('POST', `/api/portal/boards/${board.id}/requests/${request.id}/comments`, {
    body: attacks.join('\n\n'),
  });
  await carolApi.dispose();
  const context = await browser.newContext();
  await context.request.post('/api/auth/login', { data: { email: carol.email, password: carol.password } });
  const portal = await context.newPage();
  const portalRan = await watchForScripts(portal);
  await portal.goto(`/portal/${board.id}/requests/${request.id}`);
  await expectInert(portal.getByTestId('request-description'));
  await expectInert(portal.getByTestId('portal-comment-body'));
  expect(await portalRan()).toEqual([]);
  await context.close();
});

/** The markup is inert: no element an attack needs, no handler, no script URL; clicks go nowhere. */
async function expectInert(prose: Locator): Promise<void> {
  await expect(prose).toContainText('click me');
  await expect(prose.locator('img, svg, script, iframe, [onerror], [onload], [onmouseover]')).toHaveCount(0);
  await expect(prose.locator('a[href^="javascript" i], a[href^="data" i]')).toHaveCount(0);
  // The raw HTML reads as the text it is.
  await expect(prose).toContainText('<img src=x onerror=');
  await expect(prose).toContainText('<svg onload=');
  await prose.getByText('click me').click();
  await prose.getByText('encoded').click();
  await prose.getByText('pixel').click();
}
