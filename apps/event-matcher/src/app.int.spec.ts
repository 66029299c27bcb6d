import { integrationEnv } from '@hookline/shared-testing';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from './app.module';
import { loadConfig } from './config';

describe('event-matcher against the real infrastructure', () => {
  let app: INestApplication;
  let baseUrl: string;

  beforeAll(async () => {
    const infra = integrationEnv();
    const config = loadConfig({
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    });
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule.register(config)],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('is ready when its dependencies answer', async () => {
    const response = await fetch(`${baseUrl}/health/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      kafka: { ok: true, brokers: 1 },
    });
  });

  it('answers liveness without touching its dependencies', async () => {
    const response = await fetch(`${baseUrl}/health/live`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});
