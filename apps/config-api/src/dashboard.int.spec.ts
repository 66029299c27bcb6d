import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { uniqueName } from '@hookline/shared-testing';
import { DASHBOARD_CSP } from './dashboard/serve-dashboard';
import { ConfigApiHarness } from './testing/config-api.harness';

describe('what the dashboard needs of the config API', () => {
  let api: ConfigApiHarness;
  const company = `comp-${uniqueName('dash')}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'hookline-dashboard-'));
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(
      path.join(dir, 'index.html'),
      '<!doctype html><script type="module" src="./assets/app-1a2b.js"></script>',
    );
    writeFileSync(path.join(dir, 'assets', 'app-1a2b.js'), 'export {};');
    api = await ConfigApiHarness.start({ dashboardDir: dir });
    for (const role of ['admin', 'integrations', 'viewer'] as const) {
      keys[role] = await api.key(company, role);
    }
  });

  afterAll(async () => {
    await api?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the built dashboard at / under a CSP that allows no inline script', async () => {
    const page = await fetch(`${api.baseUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('app-1a2b.js');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toBe(DASHBOARD_CSP);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('x-frame-options')).toBe('DENY');

    const asset = await fetch(`${api.baseUrl}/assets/app-1a2b.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    // The API beside it is untouched.
    expect((await api.request('GET', '/v1/event-types')).status).toBe(200);
    expect((await fetch(`${api.baseUrl}/docs-json`)).status).toBe(200);
  });

  it('tells a key its company, role and what it may do', async () => {
    const me = (role: string) => api.request('GET', '/v1/me', { key: keys[role] ?? '' });
    expect((await me('viewer')).body).toMatchObject({
      company,
      role: 'viewer',
      permissions: ['webhooks:read'],
      keyId: expect.stringMatching(/^key_/),
    });
    expect((await me('integrations')).body).toMatchObject({
      permissions: ['webhooks:read', 'webhooks:write'],
    });
    expect((await me('admin')).body).toMatchObject({
      permissions: ['webhooks:read', 'webhooks:write', 'secrets:reveal', 'keys:manage'],
    });
    expect((await api.request('GET', '/v1/me')).status).toBe(401);
  });

  it('previews a custom body for each event type’s sample, errors with their position', async () => {
    const preview = await api.request<{
      placeholders: string[];
      issues: unknown[];
      previews: Array<{ eventType: string; body: string | null; error: unknown }>;
    }>('POST', '/v1/webhooks/preview-body', {
      key: keys['viewer'],
      body: {
        bodyTemplate: '{"text": "{{payload.data.project.name}}: {{event_type}}"}',
        events: ['scan.completed', 'issue.assigned'],
      },
    });
    expect(preview.status).toBe(200);
    expect(preview.body.issues).toEqual([]);
    expect(preview.body.previews.map((p) => JSON.parse(p.body ?? '{}').text)).toEqual([
      'Production API: scan.completed',
      'Production API: issue.assigned',
    ]);

    const broken = await api.request<{ previews: Array<{ error: unknown }> }>(
      'POST',
      '/v1/webhooks/preview-body',
      {
        key: keys['viewer'],
        body: { bodyTemplate: '{\n  "a": {{#each x}}\n}', events: ['user.login'] },
      },
    );
    expect(broken.body.previews[0]?.error).toMatchObject({ code: 'unsupported_syntax', line: 2 });
  });

  it.each([
    ['no events', { bodyTemplate: '{}', events: [] }, 'events'],
    ['an unknown event type', { bodyTemplate: '{}', events: ['scan.exploded'] }, 'events'],
    ['no template', { events: ['scan.completed'] }, 'bodyTemplate'],
  ])('answers a preview with %s with 400 naming the field', async (_name, body, field) => {
    const response = await api.request<{ violations: Array<{ field: string }> }>(
      'POST',
      '/v1/webhooks/preview-body',
      { key: keys['viewer'], body },
    );
    expect(response.status).toBe(400);
    expect(response.body.violations.map((v) => v.field.split(/[.[]/)[0])).toContain(field);
  });
});
