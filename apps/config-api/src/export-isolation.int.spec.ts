import { fillDeliveryLog } from '@hookline/shared-testing';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigApiHarness } from './testing/config-api.harness';

const MAX_DURATION_MS = 15_000;
// Far more CSV than the socket buffers between a client that does not read and the server hold.
const DELIVERIES_PER_COMPANY = 20_000;

describe('exports cannot starve the API', () => {
  let api: ConfigApiHarness;
  let keyA: string;
  let keyB: string;
  let keyC: string;
  const readers: IncomingMessage[] = [];

  beforeAll(async () => {
    api = await ConfigApiHarness.start({
      env: {
        HOOKLINE_EXPORT_CONCURRENCY: '10',
        HOOKLINE_EXPORT_CONCURRENCY_PER_COMPANY: '9',
        HOOKLINE_EXPORT_MAX_DURATION_MS: String(MAX_DURATION_MS),
        HOOKLINE_RATE_LIMIT_COSTLY_PER_MINUTE: '100',
      },
    });
    const startAt = new Date(Date.now() - 86_400_000);
    for (const company of ['export-a', 'export-b']) {
      await fillDeliveryLog(api.database, {
        deliveries: DELIVERIES_PER_COMPANY,
        company,
        webhookPrefix: `wh_${company.replace('-', '')}`,
        webhooks: 5,
        startAt,
      });
    }
    keyA = await api.key('export-a', 'viewer');
    keyB = await api.key('export-b', 'viewer');
    keyC = await api.key('export-c', 'viewer');
  }, 120_000);

  afterAll(async () => {
    for (const reader of readers) reader.destroy();
    await api?.stop();
  });

  /** An export whose client reads nothing after the headers: the slowest reader there is. */
  function slowExport(key: string): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(`${api.baseUrl}/v1/deliveries/export`, {
        headers: { authorization: `Bearer ${key}` },
      });
      request.on('response', (response) => {
        response.pause();
        readers.push(response);
        resolve(response);
      });
      request.on('error', reject);
      request.end();
    });
  }

  /** Sends an export request and reads its whole answer, so no download is left open. */
  async function exportOnce(key: string, query = '') {
    const response = await fetch(`${api.baseUrl}/v1/deliveries/export${query}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  /** The list and webhook requests of a key, each answering 200. */
  async function listAll(key: string, limit = 50): Promise<void> {
    const list = await api.request('GET', `/v1/deliveries?limit=${limit}`, { key });
    const webhooks = await api.request('GET', '/v1/webhooks', { key });
    expect(list.status).toBe(200);
    expect(webhooks.status).toBe(200);
  }

  const exportConnections = async () => {
    const [row]: Array<{ count: number }> = await api.database.query(
      `SELECT count(*)::int AS count FROM pg_stat_activity
        WHERE application_name = 'hookline-config-api-export' AND datname = current_database()`,
    );
    return row?.count ?? 0;
  };

  /** Export connections in use (not idle in their pool): each one an export stuck on its cursor. */
  const busyExportConnections = async () => {
    const [row]: Array<{ count: number }> = await api.database.query(
      `SELECT count(*)::int AS count FROM pg_stat_activity
        WHERE application_name = 'hookline-config-api-export' AND datname = current_database()
          AND state <> 'idle'`,
    );
    return row?.count ?? 0;
  };

  it('ten slow exports hold only the export pool: lists answer while all ten hold their connections', async () => {
    const slow = await Promise.all([
      ...Array.from({ length: 9 }, () => slowExport(keyA)),
      slowExport(keyB),
    ]);
    expect(slow.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    // Every one of them is stuck mid-stream on its database cursor.
    await sleep(300);
    expect(await exportConnections()).toBe(10);
    expect(await busyExportConnections()).toBe(10);

    // A request that needed one of those connections could only have it once an export let go
    // (cut at its maximum duration) or would fail at the pool's acquire timeout. The lists answer
    // well inside that, and every export still holds its connection after them.
    const started = performance.now();
    await listAll(keyA);
    await listAll(keyC);
    await listAll(keyB, 200);
    expect(performance.now() - started).toBeLessThan(MAX_DURATION_MS / 3);
    expect(await busyExportConnections()).toBe(10);
  });

  it('one more export of the company, or of anyone once the server is full, is a 429 with Retry-After', async () => {
    const company = await exportOnce(keyA);
    expect(company.status).toBe(429);
    expect(Number(company.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(JSON.parse(company.text)).toMatchObject({ error: 'export_busy' });

    const server = await exportOnce(keyC);
    expect(server.status).toBe(429);
    expect(server.headers.get('retry-after')).not.toBeNull();
  });

  it('a slow export is cut short at its maximum duration and lets its connection go', async () => {
    const deadline = Date.now() + MAX_DURATION_MS + 5000;
    while ((await exportConnections()) > 0 && Date.now() < deadline) await sleep(200);
    expect(await exportConnections()).toBe(0);
    // The downloads ended without their last row: the client sees a cut, not a whole file.
    for (const reader of readers) {
      reader.resume();
      await new Promise<void>((resolve) => {
        if (reader.destroyed || reader.readableEnded) resolve();
        reader.once('close', () => resolve());
      });
      expect(reader.complete).toBe(false);
    }
    // Once they are gone, exports are served again.
    const again = await exportOnce(keyC, `?from=${new Date(Date.now() - 3_600_000).toISOString()}`);
    expect(again.status).toBe(200);
    expect(again.text.split('\r\n')[0]).toContain('deliveryId');
  }, 30_000);

  it('the date range is bounded: defaulted to the last 31 days, wider is a 422 naming from', async () => {
    const from = new Date(Date.now() - 40 * 86_400_000).toISOString();
    const wide = await api.request<{ violations: Array<{ field: string; rule: string }> }>(
      'GET',
      `/v1/deliveries/export?from=${from}`,
      { key: keyC },
    );
    expect(wide.status).toBe(422);
    expect(wide.body.violations).toEqual([
      expect.objectContaining({ field: 'from', rule: 'out_of_range' }),
    ]);
    // A range of the allowed width, older than the retention window (90 days): gone, and said so.
    const oldWindow = await api.request<{ violations: Array<{ field: string; rule: string }> }>(
      'GET',
      `/v1/deliveries/export?from=2020-01-01T00:00:00Z&to=2020-01-20T00:00:00Z`,
      { key: keyC },
    );
    expect(oldWindow.status).toBe(422);
    expect(oldWindow.body.violations).toEqual([
      expect.objectContaining({ field: 'to', rule: 'out_of_range' }),
    ]);
  });
});
