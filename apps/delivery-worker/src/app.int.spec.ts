import { integrationEnv, startHttpApp, type RunningApp } from '@hookline/shared-testing';
import { AppModule } from './app.module';
import { loadConfig } from './config';

describe('delivery-worker against the real infrastructure', () => {
  let running: RunningApp;

  beforeAll(async () => {
    const infra = integrationEnv();
    const config = loadConfig({
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      DATABASE_URL: infra.databaseUrl,
    });
    running = await startHttpApp(AppModule.register(config));
  });

  afterAll(async () => {
    await running?.close();
  });

  it('boots and reports ready when its dependencies answer', async () => {
    const response = await fetch(`${running.baseUrl}/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      kafka: { ok: true },
      postgres: { ok: true },
    });
  });
});
