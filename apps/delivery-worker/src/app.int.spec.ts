import { generateMasterKey } from '@hookline/shared-crypto';
import { runMigrations } from '@hookline/shared-event-store';
import {
  createTestDatabase,
  integrationEnv,
  startHttpApp,
  uniqueName,
  type RunningApp,
  type TestDatabase,
} from '@hookline/shared-testing';
import { AppModule, DELIVERY_WORKER_MIGRATIONS } from './app.module';
import { loadConfig } from './config';

describe('delivery-worker against the real infrastructure', () => {
  let running: RunningApp;
  let db: TestDatabase;

  beforeAll(async () => {
    const infra = integrationEnv();
    db = await createTestDatabase('worker');
    await runMigrations({ url: db.url, migrations: DELIVERY_WORKER_MIGRATIONS });
    const config = loadConfig({
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      DATABASE_URL: db.url,
      HOOKLINE_MASTER_KEY: generateMasterKey('k1'),
      HOOKLINE_DELIVERIES_TOPIC: uniqueName('worker.deliveries'),
      HOOKLINE_COMMANDS_TOPIC: uniqueName('worker.commands'),
      HOOKLINE_DELIVERY_WORKER_GROUP: uniqueName('worker'),
    });
    running = await startHttpApp(AppModule.register(config));
  });

  afterAll(async () => {
    await running?.close();
    await db?.drop();
  });

  it('boots and reports ready once consuming and dispatching', async () => {
    let response = await fetch(`${running.baseUrl}/ready`);
    const deadline = Date.now() + 60_000;
    while (response.status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      response = await fetch(`${running.baseUrl}/ready`);
    }
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      kafka: { ok: true },
      postgres: { ok: true },
    });
  });
});
