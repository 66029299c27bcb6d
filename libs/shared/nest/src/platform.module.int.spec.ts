import { dataSourceOpener, EVENT_STORE_MIGRATIONS } from '@hookline/shared-event-store';
import { integrationEnv, startHttpApp, type RunningApp } from '@hookline/shared-testing';
import { Writable } from 'node:stream';
import type { Registry } from 'prom-client';
import { ReadinessRegistry } from './health/readiness.registry';
import { createCounter } from './metrics/metrics';
import { separateOperations } from './operations-port';
import { PlatformModule } from './platform.module';
import { METRICS_REGISTRY } from './tokens';

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
      database: dataSourceOpener({ url: infra.databaseUrl, migrations: EVENT_STORE_MIGRATIONS }),
    });
    const up = {
      kafka: { status: 'up', brokers: 1, controller: expect.any(Number) },
      postgres: { status: 'up' },
    };
    expect(await get(app, '/ready')).toEqual({
      status: 200,
      body: { status: 'ok', info: up, error: {}, details: up },
    });
  });

  it('checks only the broker for an app without a database', async () => {
    const app = await start({
      appName: 'health-spec',
      kafkaBrokers: integrationEnv().kafkaBrokers,
    });
    const { status, body } = await get(app, '/ready');
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', info: { kafka: { status: 'up' } } });
    expect(body).not.toHaveProperty('details.postgres');
  });

  it('answers 503 while a registered check fails, naming it with its details', async () => {
    const app = await start({
      appName: 'health-spec',
      kafkaBrokers: integrationEnv().kafkaBrokers,
    });
    let caughtUp = false;
    app.app
      .get(ReadinessRegistry)
      .register('subscriptionIndex', () => ({ ok: caughtUp, caughtUp, webhooks: 3 }));

    expect(await get(app, '/ready')).toEqual({
      status: 503,
      body: {
        status: 'error',
        info: { kafka: expect.objectContaining({ status: 'up' }) },
        error: { subscriptionIndex: { status: 'down', caughtUp: false, webhooks: 3 } },
        details: {
          kafka: expect.objectContaining({ status: 'up' }),
          subscriptionIndex: { status: 'down', caughtUp: false, webhooks: 3 },
        },
      },
    });
    caughtUp = true;
    expect(await get(app, '/ready')).toMatchObject({
      status: 200,
      body: { status: 'ok', info: { subscriptionIndex: { status: 'up', caughtUp: true } } },
    });
  });

  it('answers 503 naming the dependency that does not answer, and stays live', async () => {
    const app = await start({ appName: 'health-spec', kafkaBrokers: ['127.0.0.1:1'] });
    const down = { kafka: { status: 'down', error: expect.any(String) } };
    expect(await get(app, '/ready')).toEqual({
      status: 503,
      body: { status: 'error', info: {}, error: down, details: down },
    });
    expect(await get(app, '/health')).toEqual({
      status: 200,
      body: { status: 'ok', info: {}, error: {}, details: {} },
    });
  }, 60_000);

  it('serves its own metrics at /metrics in the Prometheus text format, labelled with the app', async () => {
    const app = await start({
      appName: 'metrics-spec',
      kafkaBrokers: integrationEnv().kafkaBrokers,
    });
    const registry = app.app.get<Registry>(METRICS_REGISTRY);
    const widgets = createCounter(registry, {
      name: 'hookline_widgets_total',
      help: 'Widgets made',
      labelNames: ['colour'],
    });
    widgets.inc({ colour: 'blue' }, 2);

    const response = await fetch(`${app.baseUrl}/metrics`);
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(registry.contentType);
    expect(text).toContain('# TYPE hookline_widgets_total counter');
    expect(text).toContain('hookline_widgets_total{colour="blue",app="metrics-spec"} 2');
    expect(text).toMatch(/^process_cpu_user_seconds_total\{app="metrics-spec"\} /m);
  });

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

  it('moves /health, /ready and /metrics to an operations port of their own, off the main port', async () => {
    const infra = integrationEnv();
    let listenOperations: ReturnType<typeof separateOperations> | undefined;
    const app = await startHttpApp(
      PlatformModule.register({ appName: 'ops-port-spec', kafkaBrokers: infra.kafkaBrokers }),
      (nest) => {
        listenOperations = separateOperations(nest);
      },
    );
    running.push(app);
    const operations = await listenOperations?.('127.0.0.1', 0);
    if (!operations) throw new Error('no operations port');
    try {
      const opsUrl = `http://127.0.0.1:${operations.port}`;
      expect((await fetch(`${opsUrl}/health`)).status).toBe(200);
      expect((await fetch(`${opsUrl}/ready`)).status).toBe(200);
      const metrics = await fetch(`${opsUrl}/metrics`);
      expect([metrics.status, (await metrics.text()).includes('process_cpu')]).toEqual([200, true]);
      expect((await fetch(`${opsUrl}/v1/webhooks`)).status).toBe(404);
      for (const path of ['/health', '/ready', '/metrics'])
        expect((await fetch(`${app.baseUrl}${path}`)).status).toBe(404);
    } finally {
      await operations.close();
    }
  });
});
