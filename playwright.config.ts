/**
 * End-to-end: the built app (`vite build` first, see `npm run test:e2e`) served by the real server
 * on a fresh database, driven in the machine's Chromium. No browser is ever downloaded: the
 * executable comes from PLAYWRIGHT_CHROMIUM or the usual system paths.
 */
import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';
import { BASE_URL } from './e2e/env.ts';

function chromiumExecutable(): string | undefined {
  const candidates = [
    process.env.PLAYWRIGHT_CHROMIUM,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
  ];
  return candidates.find((p): p is string => Boolean(p && existsSync(p)));
}

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  // A budget, not an assertion: two workers drive up to four browsers on two shared cores, where one
  // mouse glide has taken 5 s and a two-browser story that passed every check ran 32 s.
  timeout: 60_000,
  expect: { timeout: 7_000 },
  fullyParallel: false,
  // Two shared CPU cores; each spec drives up to two browsers.
  workers: 2,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : [['list']],
  use: {
    baseURL: BASE_URL,
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1440, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromiumExecutable(),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  projects: [
    { name: 'stories', testIgnore: /big-backlog/ },
    // Timed on its own, after the others, so the first-paint figure is not shared with another browser.
    { name: 'big-backlog', testMatch: /big-backlog/, dependencies: ['stories'] },
  ],
  webServer: {
    command: 'npx tsx e2e/start-server.ts',
    url: `${BASE_URL}/readyz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
  },
});
