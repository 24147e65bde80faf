/**
 * A customer's mail becomes a service request live on an open backlog: the board has the inbound
 * e-mail plugin, "Postmark" (this test) posts the mail with the installation's secret as basic auth,
 * and the maintenance lead sees the request appear with its requester; the customer's reply lands
 * as a comment on the same card, not as a second request.
 */
import { readFileSync } from 'node:fs';
import type { InstallationWithSecret } from '../protocol/plugin.ts';
import { cardRow, expect, test } from './fixtures.ts';

const postmarkMail = JSON.parse(
  readFileSync(new URL('../plugins/inbound-email/fixtures/postmark.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

test('a mailed request appears on the open backlog with its requester; the reply is a comment on it', async ({
  team,
  openBoardAs,
  request,
}) => {
  const lead = await team.person('Mia Maintenance');
  const board = await team.board('Service desk', [lead]);
  await team.role(board, lead, 'admin');
  const inst = await team.admin.send<InstallationWithSecret>('POST', `/api/boards/${board.id}/plugins`, {
    pluginId: 'inbound-email',
    name: 'Support mailbox (Postmark)',
  });
  const page = await openBoardAs(lead, board);
  const auth = `Basic ${Buffer.from(`blendboard:${inst.secret}`).toString('base64')}`;
  const post = (mail: Record<string, unknown>) =>
    request.post(`${inst.inboundUrl}/postmark`, {
      data: JSON.stringify(mail),
      headers: { 'content-type': 'application/json', authorization: auth },
    });

  expect((await post(postmarkMail)).status()).toBe(202);
  const row = page.getByTestId('card').filter({ hasText: 'please add the region column' });
  await expect(row).toBeVisible({ timeout: 20_000 });
  await expect(row).toContainText('Request');
  await expect(row.getByTestId('source-badge')).toHaveAttribute(
    'title',
    /requested by Raj Patel <raj\.patel@customer\.example>/,
  );
  const key = (await row.getAttribute('data-key')) ?? '';

  const reply = {
    ...postmarkMail,
    MessageID: 'b7c2a1e0-0000-4000-8000-00000000beef',
    Subject: `Re: [${key}] Nightly export to the data warehouse`,
    StrippedTextReply: 'Thanks! The EU rows can wait until January.',
    Headers: [{ Name: 'Message-ID', Value: '<reply-1@mail.customer.example>' }],
  };
  expect((await post(reply)).status()).toBe(202);
  await expect
    .poll(
      async () => {
        const comments = await team.admin.send<{ body: string }[]>(
          'GET',
          `/api/boards/${board.id}/cards/${await cardId(key)}/comments`,
        );
        return comments.map((c) => c.body);
      },
      { timeout: 20_000 },
    )
    .toEqual([expect.stringContaining('The EU rows can wait until January.')]);
  await expect(page.getByTestId('card').filter({ hasText: 'region column' })).toHaveCount(1);
  await expect(cardRow(page, key)).toBeVisible();
  if (process.env.SCREENSHOT_DOCS) await page.screenshot({ path: 'docs/inbound-email.png', fullPage: true });

  async function cardId(cardKey: string) {
    const cards = await team.admin.send<{ id: string; key: string }[]>(
      'GET',
      `/api/boards/${board.id}/cards`,
    );
    return cards.find((c) => c.key === cardKey)!.id;
  }
});
