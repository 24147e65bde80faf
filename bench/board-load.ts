/**
 * Big boards: seed N cards straight into the database, then time the board's first answer
 * (first-screen), its whole snapshot and its first paint.
 */
import { existsSync } from 'node:fs';
import { generateNKeysBetween } from 'fractional-indexing';
import pg from 'pg';
import { round, summarise } from './lib.ts';

const TYPES = [
  'story',
  'enhancement',
  'defect_automated',
  'defect_manual',
  'incident',
  'problem',
  'improvement',
];

export async function seedCards(databaseUrl: string, boardId: string, n: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ key: string }>('select key from boards where id = $1', [boardId]);
    const key = rows[0]!.key;
    const ranks = generateNKeysBetween(null, null, n);
    const ids: string[] = [];
    for (let start = 0; start < n; start += 1000) {
      const slice = ranks.slice(start, start + 1000);
      const res = await client.query<{ id: string }>(
        `insert into cards (board_id, number, key, title, description, type, stream, rank, estimate, labels, priority)
         select $1, s.i, $2 || '-' || s.i, 'Card number ' || s.i || ': tidy up the ' || (array['checkout','search','billing','login'])[1 + s.i % 4] || ' flow',
                '', (($3::text[])[1 + s.i % 7]), case when s.i % 3 = 0 then 'maintenance' else 'development' end,
                r.rank, (s.i % 8) + 1, array['team-' || (s.i % 5)], (array['critical','high','medium','low'])[1 + s.i % 4]
         from unnest($4::text[]) with ordinality as r(rank, ord)
         cross join lateral (select $5::int + r.ord::int as i) s
         returning id`,
        [boardId, key, TYPES, slice, start],
      );
      ids.push(...res.rows.map((r) => r.id));
    }
    await client.query('update boards set card_counter = $2 where id = $1', [boardId, n]);
    await client.query('analyze cards');
    return ids;
  } finally {
    await client.end();
  }
}

export async function timeSnapshot(baseUrl: string, cookie: string, boardId: string, runs = 15) {
  const samples: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs + 2; i++) {
    const t0 = performance.now();
    const res = await fetch(`${baseUrl}/api/boards/${boardId}`, { headers: { cookie } });
    const body = await res.arrayBuffer();
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`snapshot ${res.status}`);
    bytes = body.byteLength;
    if (i >= 2) samples.push(ms); // the first two warm caches and the JIT
  }
  const s = summarise(samples);
  return { runs, medianMs: round(s.p50), p90Ms: round(s.p90), bytes };
}

/**
 * The first answer of an opening (GET /api/boards/:id/first-screen, backlog), round trip over
 * loopback, gzip accepted as a browser does. `cold`: the board's sequence number is moved on before
 * each request (in SQL, no event), so every answer is built, not served from the cache; warm: the
 * same state asked again. Median of `runs` each, after two unmeasured requests.
 */
export async function timeFirstScreen(
  baseUrl: string,
  cookie: string,
  databaseUrl: string,
  boardId: string,
  runs = 15,
) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const ask = async () => {
    const t0 = performance.now();
    const res = await fetch(`${baseUrl}/api/boards/${boardId}/first-screen?view=backlog`, {
      headers: { cookie, 'accept-encoding': 'gzip' },
    });
    const body = (await res.json()) as { cards: unknown[] };
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`first-screen ${res.status}`);
    return { ms, cards: body.cards.length, bytes: Number(res.headers.get('content-length') ?? 0) };
  };
  try {
    const cold: number[] = [];
    const warm: number[] = [];
    let last = { ms: 0, cards: 0, bytes: 0 };
    for (let i = 0; i < runs + 2; i++) {
      await client.query('update boards set seq = seq + 1 where id = $1', [boardId]);
      last = await ask();
      if (i >= 2) cold.push(last.ms);
      const again = await ask();
      if (i >= 2) warm.push(again.ms);
    }
    return {
      runs,
      coldMedianMs: round(summarise(cold).p50),
      warmMedianMs: round(summarise(warm).p50),
      cards: last.cards,
      gzipBytes: last.bytes,
    };
  } finally {
    await client.end();
  }
}

/**
 * Time from the start of navigation to the first card row in the page, recorded inside the page
 * (performance.now() is measured from navigation start), in real Chromium; median of `runs`.
 */
export async function timeFirstPaint(baseUrl: string, cookie: string, boardId: string, runs = 5) {
  const executablePath = process.env.PLAYWRIGHT_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) return { skipped: `no Chromium at ${executablePath}` };
  const { chromium } = await import('@playwright/test');
  const browser = await chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  try {
    const [name, value] = cookie.split('=') as [string, string];
    const samples: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
      const context = await browser.newContext();
      await context.addCookies([{ name, value, url: baseUrl }]);
      await context.addInitScript(() => {
        const w = window as unknown as { firstRowAt?: number };
        new MutationObserver((_, observer) => {
          if (document.querySelector('[data-testid="card"]')) {
            w.firstRowAt = performance.now();
            observer.disconnect();
          }
        }).observe(document, { childList: true, subtree: true });
      });
      const page = await context.newPage();
      await page.goto(`${baseUrl}/boards/${boardId}`);
      await page.locator('[data-testid="card"]').first().waitFor({ state: 'visible', timeout: 30_000 });
      const ms = await page.evaluate(() => (window as unknown as { firstRowAt: number }).firstRowAt);
      const rendered = await page.locator('[data-testid="card"]').count();
      if (i > 0) samples.push(ms);
      if (i === runs) Object.assign(samples, { rendered });
      await context.close();
    }
    const s = summarise(samples);
    return {
      runs,
      medianMs: round(s.p50),
      maxMs: round(s.max),
      renderedRows: (samples as unknown as { rendered: number }).rendered,
    };
  } finally {
    await browser.close();
  }
}
