import { renderEnvFile } from './infra';

describe('renderEnvFile', () => {
  it('writes both variables as KEY=value lines a shell or dotenv can read', () => {
    const text = renderEnvFile(
      {
        kafkaBrokers: '127.0.0.1:9092',
        databaseUrl: 'postgres://hookline:hookline@127.0.0.1:5432/hookline',
        started: { kafka: true, postgres: false },
      },
      new Date('2026-01-02T03:04:05.000Z'),
    );
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^# .*2026-01-02T03:04:05.000Z/);
    expect(lines.slice(1)).toEqual([
      'KAFKA_BROKERS=127.0.0.1:9092',
      'DATABASE_URL=postgres://hookline:hookline@127.0.0.1:5432/hookline',
    ]);
  });
});
