/**
 * The dashboard's browser suite: starts the platform (the three built apps as processes, the
 * config API serving the built dashboard, an HTTPS receiver the worker may call), a small
 * control endpoint the specs use to publish events and read what the receiver got, then runs
 * Playwright with the system's Chromium. Exits with Playwright's status.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { EventType } from '@hookline/contracts';
import type { ReceiverBehaviour } from '@hookline/shared-testing';
import { Platform } from '@hookline/platform-testing';
import { ensureChromium } from './chromium';

const root = path.resolve(__dirname, '../../../..');
const log = (line: string) => process.stdout.write(`[dashboard-e2e] ${line}\n`);

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

/** What the specs may ask of the harness, over HTTP on 127.0.0.1. */
function startControl(platform: Platform) {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    void (async () => {
      const p = url.searchParams.get('path') ?? '/';
      if (request.method === 'GET' && url.pathname === '/receiver-url') {
        return reply(200, { url: platform.receiver.url(p) });
      }
      if (request.method === 'GET' && url.pathname === '/requests') {
        return reply(
          200,
          platform.receiver.requests(p).map((r) => ({ headers: r.headers, body: r.body })),
        );
      }
      if (request.method === 'POST' && url.pathname === '/behaviour') {
        const body = await readJson(request);
        platform.receiver.on(p, body as unknown as ReceiverBehaviour);
        return reply(200, {});
      }
      if (request.method === 'POST' && url.pathname === '/publish') {
        const body = await readJson(request);
        const envelope = await platform.publish(
          (body['eventType'] as EventType | undefined) ?? 'scan.completed',
          (body['data'] as Record<string, unknown> | undefined) ?? {},
        );
        return reply(200, envelope);
      }
      return reply(404, { error: 'no such control route' });
    })().catch((error: unknown) => reply(500, { error: String(error) }));
  });
  return new Promise<{ url: string; close: () => Promise<void> }>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    }),
  );
}

interface PlaywrightReport {
  stats?: { expected?: number; unexpected?: number; skipped?: number; flaky?: number };
}

/** The suite's counts where npm test's tally reads every jest run's. */
async function writeTally(): Promise<void> {
  const report = JSON.parse(
    await readFile(path.join(root, 'dist/test-results/dashboard/report.json'), 'utf8'),
  ) as PlaywrightReport;
  const stats = report.stats ?? {};
  const dir = path.join(root, 'dist', 'test-reports');
  await mkdir(dir, { recursive: true });
  await writeFile(
    path.join(dir, 'dashboard-browser.json'),
    JSON.stringify({
      numPassedTests: (stats.expected ?? 0) + (stats.flaky ?? 0),
      numFailedTests: stats.unexpected ?? 0,
      numPendingTests: stats.skipped ?? 0,
    }),
  );
}

async function main(): Promise<number> {
  const started = Date.now();
  const chromium = ensureChromium(log);
  log(`chromium: ${chromium}`);
  // Two attempts a second apart: a failing endpoint fails its delivery in about a second.
  const platform = new Platform({ worker: { HOOKLINE_RETRY_POLICY: 'attempts=2;delays=1' } });
  await platform.start();
  const control = await startControl(platform);
  try {
    log(`platform up in ${((Date.now() - started) / 1000).toFixed(1)} s at ${platform.apiUrl}`);
    const code = await new Promise<number>((resolve) => {
      const child = spawn(
        'npx',
        // Arguments go on to Playwright, e.g. `--grep rotate` to run some cases.
        [
          'playwright',
          'test',
          '-c',
          'apps/platform-e2e/playwright.config.ts',
          ...process.argv.slice(2),
        ],
        {
          cwd: root,
          stdio: 'inherit',
          env: {
            ...process.env,
            DASHBOARD_URL: platform.apiUrl,
            DASHBOARD_ADMIN_KEY: platform.adminKey,
            HARNESS_URL: control.url,
            CHROMIUM_PATH: chromium,
            PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
          },
        },
      );
      child.on('exit', (status) => resolve(status ?? 1));
    });
    await writeTally().catch((error: unknown) => log(`no Playwright report: ${String(error)}`));
    log(
      `browser suite ${code === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return code;
  } finally {
    await control.close();
    await platform.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
