import { ConfigError } from '@hookline/shared-config';
import { loadConfig } from './config';

describe('event-matcher configuration', () => {
  const minimal = {
    KAFKA_BROKERS: '127.0.0.1:9092',
  };

  it('listens on loopback port 3001 unless told otherwise', () => {
    const config = loadConfig(minimal);
    expect(config.HOOKLINE_EVENT_MATCHER_HOST).toBe('127.0.0.1');
    expect(config.HOOKLINE_EVENT_MATCHER_PORT).toBe(3001);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
  });

  it('stops at boot naming each missing or malformed setting', () => {
    expect(() => loadConfig({ HOOKLINE_EVENT_MATCHER_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ HOOKLINE_EVENT_MATCHER_PORT: 'eighty' })).toThrow(
      /HOOKLINE_EVENT_MATCHER_PORT must be an integer/,
    );
    expect(() => loadConfig({})).toThrow(/KAFKA_BROKERS is required/);
  });
});
