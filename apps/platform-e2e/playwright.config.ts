import { defineConfig } from '@playwright/test';

/**
 * The dashboard in a real Chromium against the real platform. Run by
 * src/dashboard/browser-suite.ts, which starts the platform and sets these variables; Chromium
 * is the system's (Debian's `chromium`), Playwright downloads no browser.
 */
export default defineConfig({
  testDir: './src/dashboard',
  testMatch: '*.pw.ts',
  outputDir: '../../dist/test-results/dashboard',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: [['list'], ['json', { outputFile: '../../dist/test-results/dashboard/report.json' }]],
  use: {
    baseURL: process.env['DASHBOARD_URL'],
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env['CHROMIUM_PATH'],
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    },
  },
});
