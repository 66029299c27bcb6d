import { EVENT_STORE_MIGRATIONS } from '@hookline/shared-event-store';
import { integrationEnv, startHttpApp, type RunningApp } from '@hookline/shared-testing';
import { Writable } from 'node:stream';
import { PlatformModule } from './platform.module';

describe('PlatformModule health endpoints against the real infrastructure', () => {
  const running: RunningApp[] = [];
  const start = async (options: Parameters<typeof PlatformModule.register>[0]) => {
    const app = await startHttpApp(PlatformModule.register(options));
    running.push(app);
    return app;
  };
  const get = async (app: RunningApp, path: string) => {
    const response = await fetch(`${app.baseUrl}${path}`);
    return { status: response.status, body: (await response.json()) as unknown };
  };

  afterAll(async () => {
    await Promise.all(running.map((app) => app.close()));
  });

  it('is ready when the broker and the database answer', async () => {
    const infra = integrationEnv();
    const app = await start({
      appName: 'health-spec',
      kafkaBrokers: infra.kafkaBrokers,
      database: { url: infra.databaseUrl, migrations: EVENT_STORE_MIGRATIONS },
    });
    expect(await get(app, '/ready')).toEqual({
      status: 200,
      body: {
        status: 'ok',
        kafka: { ok: true, brokers: 1, controller: expect.any(Number) },
        postgres: { ok: true },
      },
    });
  });

  it('checks only the broker for an app without a database', async () => {
    const app = await start({
      appName: 'health-spec',
      kafkaBrokers: integrationEnv().kafkaBrokers,
    });
    const { status, body } = await get(app, '/ready');
    expect(status).toBe(200);
    expect(body).not.toHaveProperty('postgres');
  });

  it('answers 503 naming the dependency that does not answer, and stays live', async () => {
    const app = await start({ appName: 'health-spec', kafkaBrokers: ['127.0.0.1:1'] });
    expect(await get(app, '/ready')).toEqual({
      status: 503,
      body: { status: 'unavailable', kafka: { ok: false, error: expect.any(String) } },
    });
    expect(await get(app, '/health')).toEqual({ status: 200, body: { status: 'ok' } });
  }, 60_000);

  it('logs each request as a JSON line without its authorization header', async () => {
    const lines: string[] = [];
    const logDestination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const app = await start({
      appName: 'log-spec',
      kafkaBrokers: integrationEnv().kafkaBrokers,
      logDestination,
    });
    await fetch(`${app.baseUrl}/health`, { headers: { authorization: 'Bearer hk_do_not_log_me' } });
    await fetch(`${app.baseUrl}/v1/nothing`, {
      headers: { authorization: 'Bearer hk_do_not_log_me' },
    });

    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toContainEqual(
      expect.objectContaining({
        app: 'log-spec',
        req: expect.objectContaining({ method: 'GET', url: '/v1/nothing' }),
        res: expect.objectContaining({ statusCode: 404 }),
      }),
    );
    expect(lines.join('\n')).not.toContain('hk_do_not_log_me');
    // Probes are not logged: they would drown everything else.
    expect(records.some((r) => (r['req'] as { url?: string } | undefined)?.url === '/health')).toBe(
      false,
    );
  });
});
