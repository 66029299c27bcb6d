import { KAFKA_TOPICS } from '@hookline/contracts';
import { ConfigError, env, parseEnv } from '@hookline/shared-config';
import { LOG_LEVELS } from '@hookline/shared-nest';
import { CryptoError, MASTER_KEY_ENV, parseMasterKeys } from '@hookline/shared-crypto';

/** Every setting of the config API, parsed once at boot (documented in .env.example). */
export const loadConfig = (source: NodeJS.ProcessEnv = process.env) => {
  const config = parseEnv(
    {
      HOOKLINE_CONFIG_API_HOST: env.string('127.0.0.1'),
      HOOKLINE_CONFIG_API_PORT: env.port(3000),
      DATABASE_URL: env.url(['postgres', 'postgresql']),
      KAFKA_BROKERS: env.list(),
      HOOKLINE_MASTER_KEY: env.string(),
      HOOKLINE_ALLOW_HTTP: env.bool(false),
      HOOKLINE_VENDOR: env.string('Corgea'),
      HOOKLINE_LOG_LEVEL: env.oneOf(LOG_LEVELS, 'info'),
      HOOKLINE_COMMANDS_TOPIC: env.string(KAFKA_TOPICS.webhooksCommands),
      HOOKLINE_CONFIG_API_COMMANDS_GROUP: env.string('hookline-config-api-commands'),
      HOOKLINE_DELIVERIES_TOPIC: env.string(KAFKA_TOPICS.webhooksDeliveries),
      HOOKLINE_TEST_WEBHOOK_TIMEOUT_MS: env.int(15000, { min: 1, max: 120000 }),
      HOOKLINE_DASHBOARD_DIR: env.string('dist/apps/dashboard'),
    },
    source,
  );
  try {
    // Parsed here so a malformed key stops the boot with the variable's name, like any setting.
    return { ...config, keyRing: parseMasterKeys(config.HOOKLINE_MASTER_KEY, MASTER_KEY_ENV) };
  } catch (error) {
    if (error instanceof CryptoError) throw new ConfigError([error.message]);
    throw error;
  }
};

export type ConfigApiConfig = ReturnType<typeof loadConfig>;
