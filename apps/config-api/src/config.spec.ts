import { ConfigError } from '@hookline/shared-config';
import { generateMasterKey } from '@hookline/shared-crypto';
import { loadConfig } from './config';

describe('config-api configuration', () => {
  const minimal = {
    KAFKA_BROKERS: '127.0.0.1:9092',
    DATABASE_URL: 'postgres://hookline:pw@127.0.0.1:5432/hookline',
    HOOKLINE_MASTER_KEY: generateMasterKey('k1'),
  };

  it('listens on loopback port 3000 unless told otherwise', () => {
    const config = loadConfig(minimal);
    expect(config.HOOKLINE_CONFIG_API_HOST).toBe('127.0.0.1');
    expect(config.HOOKLINE_CONFIG_API_PORT).toBe(3000);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
  });

  it('stops at boot naming each missing or malformed setting', () => {
    expect(() => loadConfig({ HOOKLINE_CONFIG_API_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ HOOKLINE_CONFIG_API_PORT: 'eighty' })).toThrow(
      /HOOKLINE_CONFIG_API_PORT must be an integer/,
    );
    expect(() => loadConfig({})).toThrow(/KAFKA_BROKERS is required/);
  });

  it('refuses http:// webhook URLs and uses the Corgea vendor name unless told otherwise', () => {
    const config = loadConfig(minimal);
    expect(config.HOOKLINE_ALLOW_HTTP).toBe(false);
    expect(config.HOOKLINE_VENDOR).toBe('Corgea');
  });

  it('consumes webhooks.commands in its own consumer group unless told otherwise', () => {
    const config = loadConfig(minimal);
    expect(config.HOOKLINE_COMMANDS_TOPIC).toBe('webhooks.commands');
    expect(config.HOOKLINE_CONFIG_API_COMMANDS_GROUP).toBe('hookline-config-api-commands');
    const custom = loadConfig({
      ...minimal,
      HOOKLINE_COMMANDS_TOPIC: 'staging.webhooks.commands',
      HOOKLINE_CONFIG_API_COMMANDS_GROUP: 'staging-config-api-commands',
    });
    expect(custom.HOOKLINE_COMMANDS_TOPIC).toBe('staging.webhooks.commands');
    expect(custom.HOOKLINE_CONFIG_API_COMMANDS_GROUP).toBe('staging-config-api-commands');
  });

  it('queues manual retries and test webhooks on webhooks.deliveries and waits 15 s for a test outcome unless told otherwise', () => {
    const config = loadConfig(minimal);
    expect(config.HOOKLINE_DELIVERIES_TOPIC).toBe('webhooks.deliveries');
    expect(config.HOOKLINE_TEST_WEBHOOK_TIMEOUT_MS).toBe(15000);
    const custom = loadConfig({
      ...minimal,
      HOOKLINE_DELIVERIES_TOPIC: 'staging.webhooks.deliveries',
      HOOKLINE_TEST_WEBHOOK_TIMEOUT_MS: '2000',
    });
    expect(custom.HOOKLINE_DELIVERIES_TOPIC).toBe('staging.webhooks.deliveries');
    expect(custom.HOOKLINE_TEST_WEBHOOK_TIMEOUT_MS).toBe(2000);
    expect(() => loadConfig({ ...minimal, HOOKLINE_TEST_WEBHOOK_TIMEOUT_MS: '0' })).toThrow(
      /HOOKLINE_TEST_WEBHOOK_TIMEOUT_MS/,
    );
  });

  it('stops at boot naming HOOKLINE_MASTER_KEY when it is malformed, without echoing it', () => {
    const parse = () => loadConfig({ ...minimal, HOOKLINE_MASTER_KEY: 'k1:bm90LWEta2V5' });
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(/HOOKLINE_MASTER_KEY/);
    expect(parse).not.toThrow(/bm90LWEta2V5/);
  });
});
