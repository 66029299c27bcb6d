import { expect, type Page, test } from '@playwright/test';
import { verifyStandardWebhook, verifyVendorSignature } from '@hookline/shared-signing';
import { readFile } from 'node:fs/promises';

const ADMIN_KEY = process.env['DASHBOARD_ADMIN_KEY'] ?? '';
const HARNESS = process.env['HARNESS_URL'] ?? '';
/** Set (to a folder) to keep a screenshot of each page there, e.g. docs/screenshots. */
const SHOTS = process.env['DASHBOARD_SCREENSHOTS'];
const XSS_NAME = '<img src=x onerror=alert(1)>';

async function harness<T>(method: string, route: string, body?: unknown): Promise<T> {
  const response = await fetch(`${HARNESS}${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`harness ${route}: ${response.status}`);
  return (await response.json()) as T;
}

const receiverUrl = async (path: string) =>
  (await harness<{ url: string }>('GET', `/receiver-url?path=${encodeURIComponent(path)}`)).url;
const received = (path: string) =>
  harness<Array<{ headers: Record<string, string>; body: string }>>(
    'GET',
    `/requests?path=${encodeURIComponent(path)}`,
  );
const publish = (eventType = 'scan.completed') =>
  harness<{ event_id: string }>('POST', '/publish', { eventType });
const answer = (path: string, behaviour: unknown) =>
  harness('POST', `/behaviour?path=${encodeURIComponent(path)}`, behaviour);

async function api<T>(method: string, path: string, body?: unknown, key = ADMIN_KEY): Promise<T> {
  const response = await fetch(`${process.env['DASHBOARD_URL']}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return (text === '' ? {} : JSON.parse(text)) as T;
}

/** The HTTP status the API answers, for what a page's action should have changed. */
async function apiStatus(method: string, path: string, key = ADMIN_KEY): Promise<number> {
  const response = await fetch(`${process.env['DASHBOARD_URL']}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}` },
  });
  await response.arrayBuffer();
  return response.status;
}

/** A `datetime-local` value in this machine's zone (the browser's too). */
function localInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

async function signIn(page: Page, key = ADMIN_KEY) {
  await page.goto('/');
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Webhooks', level: 1 })).toBeVisible();
}

async function shot(page: Page, name: string, fullPage = true) {
  if (!SHOTS) return;
  // Fonts and the chart settle before the picture.
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage });
}

/** Waits (the worker gets the webhook from webhooks.config) until `path` got `count` calls. */
async function waitForCalls(path: string, count: number, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const calls = await received(path);
    if (calls.length >= count) return calls;
    if (Date.now() > deadline) throw new Error(`${path} got ${calls.length} of ${count} calls`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Waits until the webhook's history lists `count` deliveries in `status`. */
async function waitForHistory(webhookId: string, status: string, count: number) {
  await expect
    .poll(
      async () =>
        (
          await api<{ items: unknown[] }>(
            'GET',
            `/v1/deliveries?webhookId=${webhookId}&status=${status}`,
          )
        ).items.length,
      { timeout: 30_000 },
    )
    .toBeGreaterThanOrEqual(count);
}

/** Publishes until the matcher knows the webhook (its config reaches the matcher by Kafka). */
async function publishUntilDelivered(path: string, count: number) {
  const before = (await received(path)).length;
  const deadline = Date.now() + 30_000;
  while ((await received(path)).length < before + count) {
    if (Date.now() > deadline) throw new Error(`no delivery reached ${path}`);
    await publish();
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }
}

test.describe.configure({ mode: 'serial' });

test.describe('the dashboard against the running platform', () => {
  let dialogs: string[] = [];

  test.beforeEach(({ page }) => {
    dialogs = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      // Deletes and revokes ask for confirmation; nothing else may open a dialog.
      void dialog.accept();
    });
    page.on('pageerror', (error) => {
      throw error;
    });
  });

  test('a webhook created through the form receives a delivery, shown in History', async ({
    page,
  }) => {
    const path = `/form-${Date.now()}`;
    await signIn(page);
    await shot(page, 'webhooks-empty');
    await page.getByRole('link', { name: 'Create webhook' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Security alerts');
    await page.getByLabel('Webhook URL').fill(await receiverUrl(path));
    await page.getByLabel('Other').check();
    await page.getByRole('checkbox', { name: /scan\.completed/ }).check();
    await page.getByRole('checkbox', { name: /issue\.status_changed/ }).check();
    await expect(page.getByRole('group', { name: 'Status change filter' })).toBeVisible();
    await page.getByRole('checkbox', { name: 'fixed', exact: true }).check();
    await page.getByRole('button', { name: 'Add header' }).click();
    await page.getByLabel('Header 1 name').fill('X-Team-Token');
    await page.getByLabel('Header 1 value').fill('team-secret-value');
    await page
      .getByLabel('Custom body')
      .fill('{"text": "{{event_type}} in {{payload.data.project.name}}", "id": "{{event_id}}"}');
    await expect(page.getByText('Preview for the scan.completed sample')).toBeVisible();
    await expect(page.locator('.preview pre').first()).toContainText('scan.completed in');
    await shot(page, 'webhook-form');
    await page.getByRole('button', { name: 'Create webhook' }).click();
    const secret = page.getByTestId('secret');
    await expect(secret).toHaveText(/^whsec_/);
    await page.getByRole('link', { name: 'Go to the webhook' }).click();
    await expect(page.getByRole('heading', { name: 'Security alerts' })).toBeVisible();
    await expect(page.getByText('X-Team-Token: ********')).toBeVisible();

    await publishUntilDelivered(path, 1);
    const [call] = await received(path);
    expect(call?.headers['x-team-token']).toBe('team-secret-value');
    expect(call?.headers['x-corgea-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(call?.body ?? '{}')).toMatchObject({
      text: 'scan.completed in Production API',
    });

    await page.getByRole('link', { name: 'History' }).first().click();
    await expect(page.locator('tbody tr').first()).toContainText('delivered');
    await page.locator('tbody tr').first().getByRole('link').click();
    await expect(page.getByText('Attempt 1')).toBeVisible();
    await page.locator('summary', { hasText: 'Request' }).first().click();
    // The custom header's value is masked in the log; the signature too.
    await expect(page.locator('table.headers').first()).toContainText('X-Team-Token');
    await expect(page.locator('table.headers').first()).not.toContainText('team-secret-value');
    await shot(page, 'delivery');
  });

  test('a 400 of the API is shown next to the field it names', async ({ page }) => {
    await signIn(page);
    await page.goto('/#/webhooks/new');
    await page.getByLabel('Name', { exact: true }).fill('Plain HTTP');
    await page.getByLabel('Webhook URL').fill('http://example.com/hook');
    await page.getByRole('checkbox', { name: /scan\.completed/ }).check();
    await page.getByLabel('Custom body').fill('{"a": {{nope}}}');
    await expect(page.getByTestId('template-error')).toContainText('line 1, column 7');
    await page.getByRole('button', { name: 'Create webhook' }).click();
    const urlError = page.locator('[data-field-error="url"]');
    await expect(urlError).toContainText(/https/i);
    await expect(page.locator('[data-field-error="bodyTemplate"]')).toBeVisible();
    await expect(page.getByLabel('Webhook URL')).toHaveAttribute('aria-invalid', 'true');
    await shot(page, 'webhook-form-errors');
  });

  test('pause, then re-activate sending what was missed', async ({ page }) => {
    const path = `/paused-${Date.now()}`;
    const webhook = await api<{ id: string }>('POST', '/v1/webhooks', {
      name: 'Ticket sync',
      url: await receiverUrl(path),
      type: 'zapier',
      events: ['scan.completed'],
    });
    await publishUntilDelivered(path, 1);
    await signIn(page);
    await page.goto(`/#/webhooks/${webhook.id}`);
    await page.getByRole('button', { name: 'Pause webhook' }).click();
    await expect(page.getByText('Paused by hand.')).toBeVisible();
    // The worker hears of the pause through webhooks.config; the event that comes after it is
    // recorded as skipped.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const before = (await received(path)).length;
    await publish();
    await waitForHistory(webhook.id, 'skipped', 1);
    expect((await received(path)).length).toBe(before);
    await shot(page, 'webhook-paused');
    await page.getByLabel('Send what was missed while paused, oldest first').check();
    await page.getByRole('button', { name: 'Re-activate' }).click();
    await expect(page.getByText('1 missed delivery queued')).toBeVisible();
    await waitForCalls(path, before + 1);
  });

  test('a failed delivery is retried from History', async ({ page }) => {
    const path = `/flaky-${Date.now()}`;
    await answer(path, {
      sequence: [{ status: 500, body: 'database unavailable' }, { status: 500 }, { status: 200 }],
    });
    const webhook = await api<{ id: string }>('POST', '/v1/webhooks', {
      name: 'Compliance archive',
      url: await receiverUrl(path),
      type: 'other',
      events: ['scan.completed'],
    });
    await publishUntilDelivered(path, 2);
    await signIn(page);
    await waitForHistory(webhook.id, 'failed', 1);
    await page.goto('/#/history');
    await page.getByLabel('Status', { exact: true }).selectOption('failed');
    await page.getByLabel('Webhook', { exact: true }).selectOption(webhook.id);
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page.locator('tbody tr')).toHaveCount(1);
    await expect(page.locator('tbody tr').first()).toContainText('failed');
    await shot(page, 'history');
    await page.locator('tbody tr').first().getByRole('link').click();
    await expect(page.getByText('database unavailable').first()).toBeAttached();
    await page.getByRole('button', { name: 'Retry' }).click();
    await expect(page.getByText('Attempt 3 queued')).toBeVisible();
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return page.locator('.attempt').count();
        },
        { timeout: 30_000 },
      )
      .toBe(3);
    await expect(page.locator('[data-attempt="3"]')).toContainText('manual');
    await expect(page.locator('[data-attempt="3"]')).toContainText('HTTP 200');
  });

  test('Test webhook shows the result inline', async ({ page }) => {
    const path = `/test-${Date.now()}`;
    await answer(path, { status: 202, body: 'accepted by the receiver' });
    const webhook = await api<{ id: string }>('POST', '/v1/webhooks', {
      name: 'Slack #security',
      url: await receiverUrl(path),
      type: 'slack',
      events: ['scan.completed', 'issue.status_changed'],
    });
    await signIn(page);
    await page.goto(`/#/webhooks/${webhook.id}`);
    await page.getByLabel('Sample event type').selectOption('issue.status_changed');
    await page.getByRole('button', { name: 'Send test' }).click();
    const result = page.getByTestId('test-result');
    await expect(result).toContainText('Delivered', { timeout: 30_000 });
    await expect(result).toContainText('HTTP 202');
    await expect(result).toContainText('accepted by the receiver');
    await shot(page, 'webhook-detail');
  });

  test('an edit through the form is saved, and header values stay write-only', async ({ page }) => {
    const before = `/edit-before-${Date.now()}`;
    const after = `/edit-after-${Date.now()}`;
    const webhook = await api<{ id: string }>('POST', '/v1/webhooks', {
      name: 'Jira automation',
      url: await receiverUrl(before),
      type: 'other',
      events: ['user.login'],
      headers: { 'X-Automation-Webhook-Token': 'jira-token-value' },
    });
    await signIn(page);
    await page.goto(`/#/webhooks/${webhook.id}`);
    await page.getByRole('link', { name: 'Edit' }).click();
    await expect(page.getByRole('heading', { name: 'Edit Jira automation' })).toBeVisible();
    // The saved header's value is never sent to the browser: the field is empty, masked.
    await expect(page.getByLabel('Header 1 name')).toHaveValue('X-Automation-Webhook-Token');
    const value = page.getByLabel('Header 1 value');
    await expect(value).toHaveValue('');
    await expect(value).toHaveAttribute('type', 'password');
    await expect(value).toHaveAttribute('placeholder', /\*{8}/);
    expect(await page.content()).not.toContain('jira-token-value');
    await page.getByLabel('Name', { exact: true }).fill('Jira automation (scans)');
    await page.getByLabel('Webhook URL').fill(await receiverUrl(after));
    await page.getByRole('checkbox', { name: /^user\.login / }).uncheck();
    await page.getByRole('checkbox', { name: /scan\.completed/ }).check();
    await shot(page, 'webhook-edit');
    await page.getByRole('button', { name: 'Save changes' }).click();

    await expect(page.getByRole('heading', { name: 'Jira automation (scans)' })).toBeVisible();
    const facts = page.locator('dl.facts');
    await expect(facts).toContainText(after);
    await expect(facts.locator('div', { hasText: /^Events/ })).toHaveText(/scan\.completed$/);
    await expect(page.getByText('X-Automation-Webhook-Token: ********')).toBeVisible();
    const saved = await api<{ name: string; url: string; events: string[] }>(
      'GET',
      `/v1/webhooks/${webhook.id}`,
    );
    expect(saved).toMatchObject({ name: 'Jira automation (scans)', events: ['scan.completed'] });
    expect(saved.url.endsWith(after)).toBe(true);
    // The header, untouched by the edit, still goes out with its value, to the new URL only.
    await publishUntilDelivered(after, 1);
    const [call] = await received(after);
    expect(call?.headers['x-automation-webhook-token']).toBe('jira-token-value');
    expect(await received(before)).toEqual([]);

    // From the edit form straight to a new one: nothing of the edited webhook is carried over.
    await page.goto(`/#/webhooks/${webhook.id}/edit`);
    await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Jira automation (scans)');
    await page.goto('/#/webhooks/new');
    await expect(page.getByRole('heading', { name: 'Create webhook' })).toBeVisible();
    await expect(page.getByLabel('Name', { exact: true })).toHaveValue('');
    await expect(page.getByLabel('Webhook URL')).toHaveValue('');
    await expect(page.getByLabel('Header 1 name')).toHaveCount(0);
  });

  test('a secret generated on the detail page is shown once; after rotation the new one signs', async ({
    page,
  }) => {
    const path = `/signed-${Date.now()}`;
    const webhook = await api<{ id: string; hasSecret: boolean }>('POST', '/v1/webhooks', {
      name: 'Signed receiver',
      url: await receiverUrl(path),
      type: 'other',
      events: ['scan.completed'],
    });
    expect(webhook.hasSecret).toBe(false);
    await signIn(page);
    await page.goto(`/#/webhooks/${webhook.id}`);
    const secretFact = page.locator('dl.facts div', { hasText: /^Signing secret/ });
    await expect(secretFact).toContainText('none');
    await page.getByRole('button', { name: 'Generate secret' }).click();
    const first = (await page.getByTestId('secret').textContent()) ?? '';
    expect(first).toMatch(/^whsec_/);
    await expect(page.getByRole('button', { name: 'Copy secret' })).toBeVisible();
    await expect(secretFact).toContainText('set');

    // Shown once: a reload has it nowhere on the page.
    await page.reload();
    await expect(page.getByRole('button', { name: 'Rotate secret' })).toBeVisible();
    await expect(page.getByTestId('secret')).toHaveCount(0);
    expect(await page.content()).not.toContain(first);

    await publishUntilDelivered(path, 1);
    const [signed] = await received(path);
    expect(
      verifyVendorSignature(signed?.body ?? '', signed?.headers['x-corgea-signature'], first),
    ).toBe(true);

    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await expect(page.getByTestId('secret')).not.toHaveText(first);
    const second = (await page.getByTestId('secret').textContent()) ?? '';
    expect(second).toMatch(/^whsec_/);
    await shot(page, 'webhook-secret');
    // The worker hears of the rotation through webhooks.config: publish until a call is signed
    // with the new secret, then check that call against each scheme.
    const deadline = Date.now() + 30_000;
    let call: { headers: Record<string, string>; body: string } | undefined;
    while (!call) {
      if (Date.now() > deadline) throw new Error('no call was signed with the rotated secret');
      await publishUntilDelivered(path, 1);
      const latest = (await received(path)).at(-1);
      if (verifyVendorSignature(latest?.body ?? '', latest?.headers['x-corgea-signature'], second))
        call = latest;
    }
    expect(verifyVendorSignature(call.body, call.headers['x-corgea-signature'], first)).toBe(false);
    expect(verifyStandardWebhook(call.body, call.headers, [second])).toMatchObject({ ok: true });

    // The secret stays on its own page: another webhook's page does not show it.
    const other = await api<{ id: string }>('POST', '/v1/webhooks', {
      name: 'Another webhook',
      url: await receiverUrl(`/other-${Date.now()}`),
      type: 'other',
      events: ['user.login'],
    });
    await page.goto(`/#/webhooks/${other.id}`);
    await expect(page.getByRole('heading', { name: 'Another webhook' })).toBeVisible();
    await expect(page.getByTestId('secret')).toHaveCount(0);
  });

  test('recover since a time sends the failed deliveries again', async ({ page }) => {
    const path = `/outage-${Date.now()}`;
    await answer(path, { status: 500, body: 'outage' });
    const webhook = await api<{ id: string; createdAt: string }>('POST', '/v1/webhooks', {
      name: 'Recovers after an outage',
      url: await receiverUrl(path),
      type: 'other',
      events: ['scan.completed'],
    });
    await publishUntilDelivered(path, 2);
    const count = (status: string) =>
      api<{ items: unknown[] }>(
        'GET',
        `/v1/deliveries?webhookId=${webhook.id}&status=${status}`,
      ).then((page) => page.items.length);
    // Every delivery has run out of attempts before the endpoint comes back.
    await expect.poll(() => count('pending'), { timeout: 30_000 }).toBe(0);
    const failed = await count('failed');
    expect(failed).toBeGreaterThanOrEqual(1);
    await answer(path, { status: 200 });
    const calls = (await received(path)).length;

    await signIn(page);
    await page.goto(`/#/webhooks/${webhook.id}`);
    const since = new Date(new Date(webhook.createdAt).getTime() - 60_000);
    await page.getByLabel('Recover since').fill(localInput(since));
    await page.getByRole('button', { name: 'Recover', exact: true }).click();
    await expect(
      page.getByText(`${failed} ${failed === 1 ? 'delivery' : 'deliveries'} queued again`),
    ).toBeVisible();
    await waitForCalls(path, calls + failed);
    await expect.poll(() => count('delivered'), { timeout: 30_000 }).toBe(failed);
    expect(await count('failed')).toBe(0);
  });

  test('a webhook deleted from its page is gone from the list and the API', async ({ page }) => {
    const webhook = await api<{ id: string }>('POST', '/v1/webhooks', {
      name: 'Short-lived webhook',
      url: await receiverUrl(`/deleted-${Date.now()}`),
      type: 'other',
      events: ['user.login'],
    });
    await signIn(page);
    await expect(page.locator(`tr[data-webhook-id="${webhook.id}"]`)).toBeVisible();
    await page.goto(`/#/webhooks/${webhook.id}`);
    await page.getByRole('button', { name: 'Delete webhook' }).click();
    await expect(page.getByRole('heading', { name: 'Webhooks', level: 1 })).toBeVisible();
    expect(dialogs).toEqual(['Delete the webhook “Short-lived webhook”? This cannot be undone.']);
    await expect(page.locator('tbody tr').first()).toBeVisible();
    await expect(page.locator(`tr[data-webhook-id="${webhook.id}"]`)).toHaveCount(0);
    expect(await apiStatus('GET', `/v1/webhooks/${webhook.id}`)).toBe(404);
    await page.goto(`/#/webhooks/${webhook.id}`);
    await expect(page.getByRole('alert')).toContainText('not found');
  });

  test('an admin creates an API key, shown once, and revokes it', async ({ page }) => {
    await signIn(page);
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Name', { exact: true }).fill('CI deploys');
    await page.getByLabel('Role').selectOption('integrations');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.getByTestId('new-key').textContent()) ?? '';
    expect(key).not.toBe('');
    await expect(page.getByRole('button', { name: 'Copy key' })).toBeVisible();
    const row = page.locator('tbody tr', { hasText: 'CI deploys' });
    await expect(row).toContainText('integrations');
    await expect(row).toContainText('active');
    const prefix = ((await row.locator('td[data-label="Key"] code').textContent()) ?? '').replace(
      '…',
      '',
    );
    expect(prefix.length).toBeGreaterThan(4);
    expect(key.startsWith(prefix)).toBe(true);
    expect(await api<{ role: string }>('GET', '/v1/me', undefined, key)).toMatchObject({
      role: 'integrations',
    });

    // Shown once: after a reload the list has its prefix only.
    await page.reload();
    await expect(row).toBeVisible();
    await expect(page.getByTestId('new-key')).toHaveCount(0);
    expect(await page.content()).not.toContain(key);

    await row.getByRole('button', { name: 'Revoke' }).click();
    await expect(row).toContainText('revoked');
    await expect(row.getByRole('button', { name: 'Revoke' })).toHaveCount(0);
    expect(dialogs).toEqual(['Revoke the key “CI deploys”? Requests with it fail from now on.']);
    expect(await apiStatus('GET', '/v1/me', key)).toBe(401);
  });

  test('Export downloads the filtered history as CSV', async ({ page }) => {
    await signIn(page);
    await page.goto('/#/history?status=delivered');
    await expect(page.locator('tbody tr').first()).toBeVisible();
    // The page says how far back the log goes (HOOKLINE_RETENTION_DAYS, 90 by default).
    await expect(page.getByTestId('retention')).toContainText('kept for 90 days');
    const listed = await page.locator('tbody tr').count();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^deliveries-.*\.csv$/);
    const text = await readFile((await download.path()) ?? '', 'utf8');
    const [header, ...rows] = text.trim().split('\r\n');
    expect(header?.split(',').slice(0, 5)).toEqual([
      'deliveryId',
      'webhookId',
      'eventId',
      'eventType',
      'attempt',
    ]);
    const ids = new Set(rows.map((row) => row.split(',')[0]));
    expect(ids.size).toBe(listed);
    const outcomes = rows.map((row) => row.split(',')[9]);
    expect(outcomes).toContain('succeeded');
  });

  test('the event catalog shows every type with its schema and sample', async ({ page }) => {
    await signIn(page);
    await page.getByRole('link', { name: 'Event catalog' }).click();
    await expect(page.locator('article.event')).toHaveCount(7);
    await expect(page.locator('#event-scan\\.completed pre').first()).toContainText(
      '"event_type": "scan.completed"',
    );
    await shot(page, 'event-catalog');
  });

  test('a viewer key, created on the API keys page, sees no write buttons', async ({ page }) => {
    const path = `/down-${Date.now()}`;
    await answer(path, { status: 503, body: 'down for maintenance' });
    const down = await api<{ id: string }>('POST', '/v1/webhooks', {
      name: 'Endpoint that is down',
      url: await receiverUrl(path),
      type: 'other',
      events: ['scan.completed'],
    });
    await publishUntilDelivered(path, 2);
    await waitForHistory(down.id, 'failed', 1);
    await signIn(page);
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Read-only auditor');
    await page.getByLabel('Role').selectOption('viewer');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.getByTestId('new-key').textContent()) ?? '';
    expect(key).not.toBe('');
    await expect(page.locator('tbody tr', { hasText: 'Read-only auditor' })).toContainText(
      'viewer',
    );
    await shot(page, 'api-keys');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, key);
    await expect(page.getByTestId('role')).toHaveText('viewer');
    await expect(page.getByRole('link', { name: 'Create webhook' })).toHaveCount(0);
    await expect(page.getByRole('link', { name: 'API keys' })).toHaveCount(0);
    await page.locator('tbody tr').first().getByRole('link').first().click();
    await expect(page.getByRole('heading', { name: 'Statistics' })).toBeVisible();
    for (const name of [
      'Edit',
      'Pause webhook',
      'Re-activate',
      'Send test',
      'Delete webhook',
      'Rotate secret',
      'Recover',
    ]) {
      await expect(page.getByRole('button', { name })).toHaveCount(0);
    }
    await expect(page.getByRole('link', { name: 'Edit' })).toHaveCount(0);
    await page.goto(`/#/history?status=failed&webhookId=${down.id}`);
    await expect(page.locator('tbody tr').first()).toContainText('failed');
    await expect(page.getByRole('button', { name: 'Retry' })).toHaveCount(0);
    await page.locator('tbody tr').first().getByRole('link').click();
    await expect(page.getByText('Attempt 1')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Retry' })).toHaveCount(0);
    await page.goto('/#/webhooks/new');
    await expect(page.getByText('does not allow this page')).toBeVisible();
  });

  test('a webhook named like markup is shown as text', async ({ page }) => {
    const path = `/xss-${Date.now()}`;
    const webhook = await api<{ id: string }>('POST', '/v1/webhooks', {
      name: XSS_NAME,
      url: await receiverUrl(path),
      type: 'other',
      events: ['user.login'],
    });
    await signIn(page);
    const row = page.locator(`tr[data-webhook-id="${webhook.id}"]`);
    await expect(row.getByRole('link', { name: XSS_NAME })).toBeVisible();
    await expect(row.locator('img')).toHaveCount(0);
    await shot(page, 'webhooks');
    await row.getByRole('link', { name: XSS_NAME }).click();
    await expect(page.getByRole('heading', { name: XSS_NAME })).toBeVisible();
    await expect(page.locator('main img')).toHaveCount(0);
    expect(dialogs).toEqual([]);
  });

  test('the keyboard alone signs in, skips to the content, opens a webhook and pauses it', async ({
    page,
  }) => {
    await api('POST', '/v1/webhooks', {
      name: 'Keyboard only',
      url: await receiverUrl(`/keyboard-${Date.now()}`),
      type: 'other',
      events: ['user.login'],
    });
    const focused = page.locator(':focus');
    /** Tabs forward until `target` has the focus; fails if it is not among the next stops. */
    async function tabTo(target: ReturnType<Page['locator']>, stops = 60) {
      for (let i = 0; i < stops; i++) {
        await page.keyboard.press('Tab');
        if (await target.evaluate((el) => el === el.ownerDocument.activeElement)) return;
      }
      throw new Error(`not reached in ${stops} tab stops`);
    }
    await page.goto('/');
    await page.keyboard.press('Tab');
    await expect(page.getByLabel('API key')).toBeFocused();
    await page.keyboard.type(ADMIN_KEY);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Webhooks', level: 1 })).toBeVisible();

    await page.keyboard.press('Tab');
    await expect(focused).toHaveText('Skip to content');
    await page.keyboard.press('Enter');
    await expect(page.locator('main')).toBeFocused();
    await expect(page.getByRole('heading', { name: 'Webhooks', level: 1 })).toBeVisible();
    await page.keyboard.press('Tab');
    await expect(focused).toHaveText('Create webhook');

    await tabTo(page.getByRole('link', { name: 'Keyboard only' }));
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Keyboard only' })).toBeVisible();
    // The new page starts the keyboard at its content, not at the top bar.
    await expect(page.locator('main')).toBeFocused();
    const pause = page.getByRole('button', { name: 'Pause webhook' });
    await tabTo(pause);
    // The focus shows where it is.
    await expect(pause).toHaveCSS('outline-style', 'solid');
    await page.keyboard.press('Enter');
    await expect(page.getByText('Paused by hand.')).toBeVisible();
  });

  test('every page fits a narrow screen', async ({ page }) => {
    // A webhook with a delivery of its own, so each page has something to lay out.
    const webhook = await api<{ id: string }>('POST', '/v1/webhooks', {
      name: 'Narrow screen',
      url: await receiverUrl(`/narrow-${Date.now()}`),
      type: 'other',
      events: ['scan.completed'],
    });
    await api('POST', `/v1/webhooks/${webhook.id}/test`, {});
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(page);
    await expect(page.locator('tbody tr').first()).toBeVisible();
    const fits = async (what: string) => {
      await expect(page.locator('main [role="status"][aria-label^="Loading"]')).toHaveCount(0);
      const width = await page.evaluate<number>('document.documentElement.scrollWidth');
      expect(width, `${what} is ${width} px wide`).toBeLessThanOrEqual(390);
    };
    await fits('the webhooks');
    // What a phone shows, not the whole list.
    await shot(page, 'webhooks-narrow', false);
    await page.locator('tbody tr').first().getByRole('link').first().click();
    await expect(page.getByRole('heading', { name: 'Statistics' })).toBeVisible();
    await fits('a webhook');
    await page.getByRole('link', { name: 'Edit' }).click();
    await expect(page.getByRole('button', { name: 'Save changes' })).toBeVisible();
    await fits('the edit form');
    await page.goto('/#/history');
    await expect(page.locator('tbody tr').first()).toBeVisible();
    await fits('the history');
    await page.locator('tbody tr').first().getByRole('link').click();
    await expect(page.getByRole('heading', { name: 'Attempts' })).toBeVisible();
    await page.locator('summary', { hasText: 'Request' }).first().click();
    await fits('a delivery');
    await page.goto('/#/events');
    await expect(page.locator('article.event')).toHaveCount(7);
    await fits('the event catalog');
    await page.goto('/#/keys');
    await expect(page.locator('tbody tr').first()).toBeVisible();
    await fits('the API keys');
  });
});
