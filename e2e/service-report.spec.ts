/**
 * The Service section of the Reports page (issue 20): a year of incidents and service requests with
 * their SLA clocks and ratings (written straight into the run's database, as the SLA service leaves
 * them) is drawn as four charts and a table per month and per quarter; the SLA lead records the
 * quarter's review minutes; the CSV downloads; and the print view shows only the report.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { Board } from '../protocol/model.ts';
import type { SlaReview } from '../protocol/service-report.ts';
import { SERVER_INFO_FILE } from './env.ts';
import { expect, showView, test } from './fixtures.ts';

const H = 3_600_000;
const TIERS = [
  { tier: 'critical', n: 3, ackMin: 9, restoreH: 2 },
  { tier: 'high', n: 5, ackMin: 25, restoreH: 6 },
  { tier: 'normal', n: 8, ackMin: 70, restoreH: 20 },
  { tier: 'low', n: 4, ackMin: 150, restoreH: 50 },
  { tier: 'request', n: 6, ackMin: 60, restoreH: 30 },
] as const;

/** Twelve months of clocks, the last still running; a breach now and then; requests rated 2 to 5. */
async function seedServiceYear(board: Board): Promise<void> {
  const { databaseUrl } = JSON.parse(readFileSync(SERVER_INFO_FILE, 'utf8')) as { databaseUrl: string };
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const now = Date.now();
    const rows: {
      key: string;
      tier: string;
      started: Date;
      responded: Date;
      resolved: Date | null;
      fired: string[];
    }[] = [];
    const first = new Date();
    first.setUTCDate(1);
    first.setUTCHours(0, 0, 0, 0);
    for (let i = 0; i < 12; i++) {
      const month = new Date(first);
      month.setUTCMonth(first.getUTCMonth() - i);
      for (const t of TIERS)
        for (let k = 0; k < t.n + (i % 3); k++) {
          const started = new Date(month.getTime() + 2 * 24 * H + k * 17 * H);
          if (started.getTime() > now) continue;
          const slow = (k + i) % (t.tier === 'critical' ? 4 : 6) === 0;
          const resolvedAt = started.getTime() + t.restoreH * H * (slow ? 2.5 : 1) * (1 + (k % 3) / 4);
          rows.push({
            key: `${board.key}-${rows.length + 1}`,
            tier: t.tier,
            started,
            responded: new Date(started.getTime() + (t.ackMin + i) * 60_000),
            resolved: resolvedAt < now ? new Date(resolvedAt) : null,
            fired: slow && resolvedAt < now ? ['resolution.warning', 'resolution.breached'] : [],
          });
        }
    }
    const { rows: ids } = await client.query<{ id: string; key: string }>(
      `insert into cards (board_id, number, key, title, type, stream, rank, priority, created_at, done_at)
       select $1, r.i, r.key, 'Ticket ' || r.i,
              case when r.tier = 'request' then 'service_request' else 'incident' end, 'maintenance',
              'y' || lpad(r.i::text, 6, '0'), case when r.tier = 'request' then 'medium' else r.tier end,
              r.started, r.resolved
       from unnest($2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[]) with ordinality
            as r(key, tier, started, resolved, i)
       returning id, key`,
      [
        board.id,
        rows.map((r) => r.key),
        rows.map((r) => r.tier),
        rows.map((r) => r.started),
        rows.map((r) => r.resolved),
      ],
    );
    const idOf = new Map(ids.map((r) => [r.key, r.id]));
    await client.query('update boards set card_counter = $2 where id = $1', [board.id, rows.length]);
    await client.query(
      `insert into sla_clocks (card_id, board_id, kind, started_at, tiers, response_met_at, resolved_at, fired)
       select r.id, $1, case when r.tier = 'request' then 'request' else 'incident' end, r.started,
              jsonb_build_array(jsonb_build_object('at', r.started, 'tier', case when r.tier = 'request' then 'normal' else r.tier end)),
              r.responded, r.resolved, string_to_array(r.fired, ',')
       from unnest($2::uuid[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[], $7::text[])
            as r(id, tier, started, responded, resolved, fired)`,
      [
        board.id,
        rows.map((r) => idOf.get(r.key)),
        rows.map((r) => r.tier),
        rows.map((r) => r.started),
        rows.map((r) => r.responded),
        rows.map((r) => r.resolved),
        rows.map((r) => r.fired.join(',')),
      ],
    );
    const rated = rows.filter((r) => r.tier === 'request' && r.resolved);
    await client.query(
      `insert into request_ratings (card_id, board_id, rating, rated_at)
       select r.id, $1, r.rating, r.at from unnest($2::uuid[], $3::int[], $4::timestamptz[]) as r(id, rating, at)`,
      [
        board.id,
        rated.map((r) => idOf.get(r.key)),
        rated.map((_, j) => 2 + ((j * 7) % 4)),
        rated.map((r) => new Date(r.resolved!.getTime() + H)),
      ],
    );
  } finally {
    await client.end();
  }
}

test('the Service section charts a year of SLA clocks, records the quarter’s review and prints cleanly', async ({
  team,
  openBoardAs,
}, testInfo) => {
  const mia = await team.person('Mia Lead');
  const vic = await team.person('Vic Viewer');
  const board = await team.board('Managed service', [mia, vic]);
  await team.role(board, mia, 'maintenance');
  await team.role(board, vic, 'viewer');
  await seedServiceYear(board);

  const page = await openBoardAs(mia, board);
  await page.setViewportSize({ width: 1280, height: 900 });
  await showView(page, 'Reports');
  const section = page.getByTestId('service-report');
  await expect(section).toBeVisible();
  for (const chart of ['attainment', 'incidents', 'times', 'satisfaction']) {
    const canvas = page.getByTestId(`service-${chart}-chart`);
    await expect(canvas).toBeVisible();
    const box = await canvas.boundingBox();
    expect(box?.width, `${chart} width`).toBeGreaterThan(200);
    expect(box?.height, `${chart} height`).toBeGreaterThan(150);
  }
  await expect(section.getByTestId('service-row')).toHaveCount(12);
  await expect(page.getByTestId('service-attainment')).toHaveText(/^\d+(\.\d)?%$/);

  await page.getByTestId('service-period-quarter').click();
  await expect(section.getByTestId('service-row')).toHaveCount(4);
  await expect(page.getByTestId('service-report-csv')).toHaveAttribute(
    'href',
    /service-report\.csv\?period=quarter$/,
  );
  const csv = await page.request.get((await page.getByTestId('service-report-csv').getAttribute('href'))!);
  expect(csv.status()).toBe(200);
  expect((await csv.text()).split('\r\n')[0]).toMatch(/^period,period_start,tier,opened,resolved,/);

  // The lead records the review of the latest quarter in the window.
  const quarter = await page.getByTestId('review-quarter').inputValue();
  const form = page.getByTestId('sla-review');
  await form.getByTestId('review-attendees').fill('Mia Lead (service manager)\nOla Customer (Acme)');
  await form
    .getByTestId('review-minutes')
    .fill(
      '## Attainment\nCritical incidents mostly within target; two breaches in low.\n\n## Decisions\nKeep the rota.',
    );
  await form.getByRole('button', { name: 'Add action' }).click();
  await form.getByRole('textbox', { name: 'Action' }).fill('Review the low-tier resolution target');
  await form.getByRole('textbox', { name: 'Owner' }).fill('Mia');
  await form.getByTestId('review-save').click();
  await expect(form.getByRole('status')).toHaveText(/Saved/);
  const saved = await team.admin.send<{ reviews: SlaReview[] }>('GET', `/api/boards/${board.id}/sla-reviews`);
  expect(saved.reviews.map((r) => [r.quarter, r.attendees.length, r.actions[0]?.owner])).toEqual([
    [quarter, 2, 'Mia'],
  ]);

  // A viewer sees the minutes but cannot change them.
  const vicPage = await openBoardAs(vic, board);
  await showView(vicPage, 'Reports');
  await vicPage.getByTestId('service-period-quarter').click();
  await expect(vicPage.getByTestId('review-minutes')).toHaveValue(/Keep the rota/);
  await expect(vicPage.getByTestId('review-minutes')).toBeDisabled();
  await expect(vicPage.getByTestId('review-save')).toHaveCount(0);

  await page.getByTestId('service-period-month').click();
  await expect(section.getByTestId('service-row')).toHaveCount(12);
  if (process.env.SCREENSHOT_DOCS) {
    // tall enough that the whole section is on the screen (an element screenshot shows only what is)
    await page.setViewportSize({ width: 1280, height: 2200 });
    await section.screenshot({ path: 'docs/service-report.png' });
    await page.setViewportSize({ width: 1280, height: 900 });
  }
  await testInfo.attach('service section', { body: await section.screenshot(), contentType: 'image/png' });

  // Print: only the report, no app chrome, no buttons, every row and chart.
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByTestId('velocity-chart')).toBeHidden();
  await expect(page.getByRole('tab', { name: 'Reports' })).toBeHidden();
  await expect(page.getByTestId('service-report-print')).toBeHidden();
  await expect(page.getByTestId('service-period-month')).toBeHidden();
  await expect(section).toBeVisible();
  await expect(section.getByTestId('service-row')).toHaveCount(12);
  await expect(section.getByTestId('service-row').last()).toBeVisible();
  await expect(section.getByText('Keep the rota.')).toBeVisible();
  const printed = await page.screenshot({ fullPage: true });
  if (process.env.SCREENSHOT_DOCS)
    await page.screenshot({ path: 'docs/service-report-print.png', fullPage: true });
  await testInfo.attach('print view', { body: printed, contentType: 'image/png' });
  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  await testInfo.attach('printed report', { body: pdf, contentType: 'application/pdf' });
});
