import { generateMasterKey } from '@hookline/shared-crypto';
import { uniqueName } from '@hookline/shared-testing';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { createHmac } from 'node:crypto';
import { Platform } from '@hookline/platform-testing';

const root = path.resolve(__dirname, '../../..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function keysReseal(env: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      tsx,
      [path.join(root, 'tools/scripts/keys-reseal.ts')],
      { cwd: root, env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        resolve({
          code: error ? Number((error as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
        });
      },
    );
  });
}

/**
 * Retiring a master key: a new key first, `npm run keys:reseal`, then the old key removed from
 * the worker, which must still open every secret and header value and sign every delivery.
 */
describe('keys:reseal, then the old master key removed', () => {
  const platform = new Platform();
  const newKey = generateMasterKey('k2');

  beforeAll(async () => {
    await platform.start();
  });

  afterAll(async () => {
    await platform.stop();
  });

  it('re-seals every secret under the new key; deliveries still verify without the old one', async () => {
    const projectId = uniqueName('proj');
    const data = { project: { id: projectId, name: `Project ${projectId}` } };
    const webhook = await platform.createWebhook('/resealed', {
      projectIds: [projectId],
      generateSecret: true,
      headers: { 'X-Automation-Webhook-Token': 'jira-token-before-reseal' },
    });
    const secret = webhook.secret ?? '';
    expect((await platform.configRecord(webhook.id))?.signingSecret?.keyId).toBe('k1');

    const env = {
      DATABASE_URL: platform.databaseUrl,
      HOOKLINE_MASTER_KEY: `${newKey},${platform.masterKey}`,
    };
    const first = await keysReseal(env);
    expect(first.stderr).toContain('every live value now opens with "k2" alone');
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      activeKeyId: 'k2',
      webhooks: 1,
      resealed: 1,
      values: 2,
      failures: [],
      liveValuesByOldKey: {},
    });
    // The history keeps what k1 sealed; it is never opened again once the key is gone.
    expect(report['historicEventsByOldKey']).toEqual({ k1: 1 });
    // A second run has nothing left to do.
    expect(JSON.parse((await keysReseal(env)).stdout)).toMatchObject({ resealed: 0, values: 0 });

    // The relay publishes the re-sealed record; then the worker runs with the new key alone.
    const deadline = Date.now() + 20_000;
    while ((await platform.configRecord(webhook.id))?.signingSecret?.keyId !== 'k2') {
      if (Date.now() > deadline) throw new Error('the re-sealed record was not published');
      await sleep(250);
    }
    const record = await platform.configRecord(webhook.id);
    expect(record?.headers.map((h) => h.value.keyId)).toEqual(['k2']);
    await platform.worker.kill('SIGTERM');
    await platform.startWorker({ HOOKLINE_MASTER_KEY: newKey });

    const envelope = await platform.publish('scan.completed', data);
    const [request] = await platform.receiver.waitFor(1, { path: '/resealed', timeoutMs: 30_000 });
    if (!request) throw new Error('no request');
    const h = request.headers;
    expect(h['x-automation-webhook-token']).toBe('jira-token-before-reseal');
    expect(h['x-corgea-signature']).toBe(
      createHmac('sha256', secret).update(request.rawBody).digest('hex'),
    );
    expect(
      new StandardWebhook(secret).verify(request.body, {
        'webhook-id': String(h['webhook-id']),
        'webhook-timestamp': String(h['webhook-timestamp']),
        'webhook-signature': String(h['webhook-signature']),
      }),
    ).toEqual(envelope);
  }, 180_000);
});
