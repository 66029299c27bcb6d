import { integrationEnv, uniqueName } from './infra';

describe('uniqueName', () => {
  it('gives a different name on every call, keeping the prefix', () => {
    const names = new Set(Array.from({ length: 1000 }, () => uniqueName('topic')));
    expect(names.size).toBe(1000);
    for (const name of names) expect(name).toMatch(/^topic_[a-z0-9]+_[0-9a-f]{8}$/);
  });
});

describe('integrationEnv', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('explains how to start the infrastructure when the variables are missing', () => {
    delete process.env['KAFKA_BROKERS'];
    delete process.env['DATABASE_URL'];
    expect(() => integrationEnv()).toThrow(/npm run infra:up/);
  });

  it('splits the broker list', () => {
    process.env['KAFKA_BROKERS'] = '127.0.0.1:9092, 127.0.0.1:9094';
    process.env['DATABASE_URL'] = 'postgres://u:p@127.0.0.1:5432/db';
    expect(integrationEnv()).toEqual({
      kafkaBrokers: ['127.0.0.1:9092', '127.0.0.1:9094'],
      databaseUrl: 'postgres://u:p@127.0.0.1:5432/db',
    });
  });
});
