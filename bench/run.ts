/**
 * `npm run bench`: starts the real server (embedded PostgreSQL 15, as `npm start` does) and a bare
 * socket.io baseline in child processes, drives them from this process over loopback, and prints
 * the figures. Bounded: every loop has a fixed count and duration.
 *
 * BENCH_SECONDS (default 5) sets each rate step's duration; BENCH_CLIENTS (default 200) the receivers;
 * BENCH_PARTS (default all: baseline,moves,overload,load,scale,reports,outcomes,service,sla,webhooks) picks parts, e.g. BENCH_PARTS=baseline,moves;
 * sla's sizes: BENCH_SLA_CLOCKS, BENCH_SLA_DUE, BENCH_SLA_SECONDS (bench/sla.ts);
 * scale's sizes: BENCH_SCALE_CLIENTS, BENCH_SCALE_USERS, BENCH_SCALE_OPENS, BENCH_SCALE_CARDS (bench/scale.ts);
 * overload offers 3x the highest rate the moves part sustained (with no moves part, it ramps first;
 * BENCH_OVERLOAD_BASE=<moves/s> skips that ramp and takes the given rate as the sustained maximum,
 * so that runs compare at the same load: the ramp's steps double, and so does the offered rate when
 * one more step passes);
 * BENCH_REPORT_EVENTS (default 1000000) sets the reports part's big board;
 * BENCH_OUTCOME_RELEASES (default 200) and BENCH_OUTCOME_INCIDENTS (default 200000) the outcomes part's;
 * BENCH_SERVICE_INCIDENTS (default 100000) the service report part's;
 * BENCH_RECEIVER (default wire) picks the receivers' client: wire (bench/wire-client.ts) or socket.io-client.
 *
 * Diagnostics: BENCH_PROFILE=<dir> saves a CPU profile of the server; BENCH_NODE_ARGS passes Node
 * flags to the server (e.g. --trace-gc) and BENCH_SERVER_LOG=<file> keeps what it prints;
 * BENCH_TRACE=<file> writes every measured move's ack and all-clients delays, in send order.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MOVE_ADMISSION_LIMITS } from '../server/sync/move-admission.ts';
import { seedCards, timeFirstPaint, timeFirstScreen, timeSnapshot } from './board-load.ts';
import { freePort, round, startChild } from './lib.ts';
import { fillOutcomesBoard, timeOutcomes } from './outcomes.ts';
import { overload } from './overload.ts';
import { bareBroadcast, boardMoves, type RateResult, receiverKind } from './realtime.ts';
import { fillReportBoard, timeReports } from './reports.ts';
import { scale } from './scale.ts';
import { fillServiceBoard, timeServiceReport } from './service.ts';
import { slaDeadlines } from './sla.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const clients = Number(process.env.BENCH_CLIENTS ?? 200);
const parts = new Set(
  (
    process.env.BENCH_PARTS ?? 'baseline,moves,overload,load,scale,reports,outcomes,service,sla,webhooks'
  ).split(','),
);
const reportEvents = Number(process.env.BENCH_REPORT_EVENTS ?? 1_000_000);
const dataDir = mkdtempSync(path.join(tmpdir(), 'blendboard-bench-'));
// mkdtemp makes the folder private; the embedded PostgreSQL runs as the postgres OS user.
chmodSync(dataDir, 0o755);

function table(title: string, rows: RateResult[]) {
  console.log(`\n${title}`);
  console.table(
    rows.map((r) => ({
      'target/s': r.rate,
      'achieved/s': r.achievedPerSecond,
      sent: r.sent,
      delivered: r.delivered,
      failed: r.failed,
      'p50 ms': r.p50,
      'p99 ms': r.p99,
      ...(r.ackP50 !== undefined ? { 'ack p50': r.ackP50, 'ack p99': r.ackP99 } : {}),
      sustained: r.sustained,
    })),
  );
  for (const r of rows) {
    if (r.failures) console.log(`  ${r.rate}/s step, failed moves by reason: ${JSON.stringify(r.failures)}`);
  }
}

/** With no step sustained (a busy machine), the overload part takes the lowest rate achieved as the maximum. */
function lowestAchieved(rows: RateResult[]): number {
  console.log('(no rate step was sustained: overload is offered 3x the lowest rate achieved)');
  return Math.min(...rows.map((r) => r.achievedPerSecond));
}

async function main() {
  console.log(
    `Blendboard benchmark: ${clients} clients (${receiverKind} receivers), ${seconds}s per step, node ${process.version}, ${new Date().toISOString()}`,
  );

  // 1. Bare socket.io baseline, same machine, same client process.
  if (parts.has('baseline')) {
    const bare = startChild(['bench/bare-server.ts'], {}, /listening (\d+)/);
    const barePort = (await bare.started)[1];
    const baseline = await bareBroadcast(`http://127.0.0.1:${barePort}`, clients, [100, 1000], seconds);
    await bare.stop();
    table(
      'Baseline: bare socket.io, 300-byte broadcast to every client (delay to the LAST client)',
      baseline,
    );
  }

  // 2. The real server on embedded PostgreSQL.
  const port = await freePort();
  const pgPort = await freePort();
  if (!existsSync('dist/index.html'))
    console.log('(no dist/: run `npm run build` first to include the Chromium first-paint figure)');
  // BENCH_PROFILE=<dir> writes a V8 CPU profile of the server there (open it in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
    : [];
  const server = startChild(
    [...profile, ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), 'server/main.ts'],
    {
      PORT: String(port),
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      LOG_LEVEL: 'warn',
      ADMIN_EMAIL: 'bench@example.com',
      ADMIN_PASSWORD: 'bench quartz pelican harbour',
    },
    /Blendboard is up|"msg":"Blendboard is up/,
    { logFile: process.env.BENCH_SERVER_LOG },
  );
  // Readiness is polled below; on a busy machine the start-up line can come after the child's timeout.
  server.started.catch(() => {});
  // main.ts logs at info; with LOG_LEVEL=warn we poll readiness instead.
  const baseUrl = `http://127.0.0.1:${port}`;
  // Up to three minutes: on a machine shared with other work, start-up alone has taken over one.
  for (let i = 0; i < 1800; i++) {
    try {
      if ((await fetch(`${baseUrl}/readyz`)).status === 200) break;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    const login = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@example.com', password: 'bench quartz pelican harbour' }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const createBoard = async (name: string) => {
      const res = await fetch(`${baseUrl}/api/boards`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
        body: JSON.stringify({ name }),
      });
      return ((await res.json()) as { id: string }).id;
    };
    const databaseUrl = `postgres://postgres:postgres@127.0.0.1:${pgPort}/blendboard`;

    let moves: { boardId: string; cardIds: string[] } | undefined;
    let sustainedMax: number | undefined;
    const rampRates = [250, 500, 1000, 1500, 2000, 3000];
    if (parts.has('moves')) {
      const movesBoard = await createBoard('Moves');
      const cardIds = await seedCards(databaseUrl, movesBoard, 2000);
      moves = { boardId: movesBoard, cardIds };
      // Warm-up (JIT, connection pools, PostgreSQL caches): measured but not reported.
      await boardMoves(baseUrl, cookie, movesBoard, cardIds, clients, [50], 2, false);
      const at100 = await boardMoves(baseUrl, cookie, movesBoard, cardIds, clients, [100], seconds, false);
      table(
        'Blendboard: card move (socket, authorised, validated, committed) to receipt by ALL clients',
        at100,
      );
      const ramp = await boardMoves(baseUrl, cookie, movesBoard, cardIds, clients, rampRates, seconds);
      table('Blendboard: ramp until not sustained (failed=0, ≥99% delivered, ≥95% of target)', ramp);
      const best = [...at100, ...ramp].filter((r) => r.sustained).at(-1);
      console.log(`Highest sustained: ${best ? `${best.rate} moves/s (p99 ${best.p99} ms)` : 'none'}`);
      console.log(
        `(one person moves at most ${process.env.MOVES_PER_SECOND_PER_PERSON ?? MOVE_ADMISSION_LIMITS.movesPerSecond} cards/s on a board: MOVES_PER_SECOND_PER_PERSON; set it higher to measure the move path itself)`,
      );
      sustainedMax = best?.achievedPerSecond ?? lowestAchieved([...at100, ...ramp]);
    }

    if (parts.has('overload')) {
      const base = Number(process.env.BENCH_OVERLOAD_BASE ?? 0);
      if (!moves) {
        const boardId = await createBoard('Moves');
        moves = { boardId, cardIds: await seedCards(databaseUrl, boardId, 2000) };
        await boardMoves(baseUrl, cookie, moves.boardId, moves.cardIds, clients, [50], 2, false);
      }
      if (base > 0) {
        sustainedMax = base;
        console.log(
          `\n(BENCH_OVERLOAD_BASE: the overload part takes ${base} moves/s as the sustained maximum)`,
        );
      } else if (sustainedMax === undefined) {
        const ramp = await boardMoves(
          baseUrl,
          cookie,
          moves.boardId,
          moves.cardIds,
          clients,
          [100, ...rampRates],
          seconds,
        );
        sustainedMax = ramp.filter((r) => r.sustained).at(-1)?.achievedPerSecond ?? lowestAchieved(ramp);
        table('Overload: ramp for the highest sustained rate', ramp);
      }
      const quietBoard = await createBoard('Quiet');
      const quiet = { boardId: quietBoard, cardIds: await seedCards(databaseUrl, quietBoard, 50) };
      const result = await overload(
        baseUrl,
        cookie,
        moves,
        quiet,
        clients,
        sustainedMax!,
        seconds,
        server.child.pid!,
      );
      console.log(
        `\nOverload: 3x the highest sustained rate on one board (${clients} receivers), a quiet board at 25 moves/s`,
      );
      console.table(Object.entries(result).map(([figure, value]) => ({ figure, value })));
    }

    if (parts.has('load')) {
      // Issue 19: a small and a big board in the same run, so the ratios compare like with like.
      const smallBoard = await createBoard('Two hundred');
      await seedCards(databaseUrl, smallBoard, 200);
      const bigBoard = await createBoard('Ten thousand');
      await seedCards(databaseUrl, bigBoard, 10_000);
      const firstSmall = await timeFirstScreen(baseUrl, cookie, databaseUrl, smallBoard);
      const firstBig = await timeFirstScreen(baseUrl, cookie, databaseUrl, bigBoard);
      const snapshot = await timeSnapshot(baseUrl, cookie, bigBoard);
      console.log(
        `\nOpening a board: the first answer (GET /api/boards/:id/first-screen, backlog; median of ${firstBig.runs}, round trip over loopback), the 10,000-card board's whole snapshot, and the first card painted in Chromium`,
      );
      const ratio = (a: number, b: number) => `${round(a / b, 2)}x`;
      const rows: Record<string, string | number>[] = [
        {
          figure: 'first answer, built (cold), ms',
          '200 cards': firstSmall.coldMedianMs,
          '10,000 cards': firstBig.coldMedianMs,
          ratio: ratio(firstBig.coldMedianMs, firstSmall.coldMedianMs),
          goal: '≤ 2x',
        },
        {
          figure: 'first answer, cached (warm), ms',
          '200 cards': firstSmall.warmMedianMs,
          '10,000 cards': firstBig.warmMedianMs,
          ratio: ratio(firstBig.warmMedianMs, firstSmall.warmMedianMs),
          goal: '≤ 2x',
        },
        {
          figure: 'first answer: cards / gzip bytes',
          '200 cards': `${firstSmall.cards} / ${firstSmall.gzipBytes}`,
          '10,000 cards': `${firstBig.cards} / ${firstBig.gzipBytes}`,
          ratio: '',
          goal: 'bounded',
        },
        {
          figure: 'whole snapshot GET /api/boards/:id (the rest), ms',
          '200 cards': '',
          '10,000 cards': `${snapshot.medianMs} (p90 ${snapshot.p90Ms}, ${Math.round(snapshot.bytes / 1024)} KiB)`,
          ratio: '',
          goal: '',
        },
      ];
      if (existsSync('dist/index.html')) {
        const paintSmall = await timeFirstPaint(baseUrl, cookie, smallBoard);
        const paintBig = await timeFirstPaint(baseUrl, cookie, bigBoard);
        const small = ('medianMs' in paintSmall ? paintSmall.medianMs : undefined) ?? Number.NaN;
        const big = ('medianMs' in paintBig ? paintBig.medianMs : undefined) ?? Number.NaN;
        rows.push({
          figure: 'first card painted in Chromium (median), ms',
          '200 cards':
            'medianMs' in paintSmall ? `${small} (max ${paintSmall.maxMs})` : JSON.stringify(paintSmall),
          '10,000 cards':
            'medianMs' in paintBig ? `${big} (max ${paintBig.maxMs})` : JSON.stringify(paintBig),
          ratio: ratio(big, small),
          goal: '≤ 1.5x',
        });
      }
      console.table(rows);
    }

    // Before the parts that fill the database: the scale part's servers share it, and 100,000
    // incidents with running clocks kept them and PostgreSQL busy in its quiet phase.
    if (parts.has('scale')) await scale(databaseUrl, dataDir, baseUrl);

    if (parts.has('reports')) {
      const small = await fillReportBoard(databaseUrl, await createBoard('Small reports'), {
        cards: 300,
        events: 1_000,
        sprints: 6,
      });
      const big = await fillReportBoard(databaseUrl, await createBoard('Million events'), {
        cards: 10_000,
        events: reportEvents,
        sprints: 200,
      });
      console.log(
        `\nReports, the largest each route allows: a board of 10,000 cards and ${big.events.toLocaleString('en')} events (filled in SQL in ${big.fillSeconds} s) beside one of 300 cards and ${small.events.toLocaleString('en')} events; median of 9 requests, /healthz polled meanwhile`,
      );
      const { rows, rssBeforeMiB, rssAfterMiB } = await timeReports(baseUrl, cookie, small, big, 9);
      console.table(rows);
      console.log(`Server resident memory: ${rssBeforeMiB} MiB before the reports, ${rssAfterMiB} MiB after`);
    }

    if (parts.has('outcomes')) {
      const board = await fillOutcomesBoard(databaseUrl, await createBoard('Release outcomes'), {
        releases: Number(process.env.BENCH_OUTCOME_RELEASES ?? 200),
        incidents: Number(process.env.BENCH_OUTCOME_INCIDENTS ?? 200_000),
      });
      console.log(
        `\nRelease outcomes: ${board.releases} live releases and ${board.incidents.toLocaleString('en')} incidents over two years (filled in SQL in ${board.fillSeconds} s); median and p99 of 20 requests`,
      );
      console.table(await timeOutcomes(baseUrl, cookie, board, 20));
    }

    if (parts.has('service')) {
      const board = await fillServiceBoard(databaseUrl, await createBoard('Service report'), {
        incidents: Number(process.env.BENCH_SERVICE_INCIDENTS ?? 100_000),
      });
      console.log(
        `\nService report: ${board.incidents.toLocaleString('en')} incidents and ${board.requests.toLocaleString('en')} service requests with clocks over two years (filled in SQL in ${board.fillSeconds} s); median and p99 of 20 requests`,
      );
      console.table(await timeServiceReport(baseUrl, cookie, board, 20));
    }

    if (parts.has('sla')) await slaDeadlines(databaseUrl, dataDir);
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  // 3. Webhook ingestion (the plugin host's own benchmark), when present.
  const webhookModule = './webhooks.ts';
  if (parts.has('webhooks') && existsSync('bench/webhooks.ts')) {
    const { runWebhookBench } = (await import(webhookModule)) as {
      runWebhookBench: () => Promise<Record<string, number | string>>;
    };
    console.log('\nWebhook ingestion');
    console.table(await runWebhookBench());
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
