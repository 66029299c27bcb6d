import { collectProblems, ConfigError, env, parseEnv } from '@hookline/shared-config';
import { databaseConnection } from '@hookline/shared-event-store';
import {
  KAFKA_CONNECTION_SETTINGS,
  kafkaConnection,
  TOPIC_SETTINGS,
  topicCatalog,
} from '@hookline/shared-kafka';
import { LOG_LEVELS } from '@hookline/shared-nest';
import { CryptoError, MASTER_KEY_ENV, parseMasterKeys } from '@hookline/shared-crypto';

/** Every setting of the config API, parsed once at boot (documented in .env.example). */
export const loadConfig = (source: NodeJS.ProcessEnv = process.env) => {
  const config = parseEnv(
    {
      HOOKLINE_CONFIG_API_HOST: env.string('127.0.0.1'),
      HOOKLINE_CONFIG_API_PORT: env.port(3000),
      DATABASE_URL: env.url(['postgres', 'postgresql']),
      DATABASE_SSL_CA_FILE: env.optionalString(),
      ...KAFKA_CONNECTION_SETTINGS,
      ...TOPIC_SETTINGS,
      HOOKLINE_MASTER_KEY: env.string(),
      HOOKLINE_ALLOW_HTTP: env.bool(false),
      HOOKLINE_VENDOR: env.string('Corgea'),
      HOOKLINE_LOG_LEVEL: env.oneOf(LOG_LEVELS, 'info'),
      HOOKLINE_CONFIG_API_COMMANDS_GROUP: env.string('hookline-config-api-commands'),
      HOOKLINE_TEST_WEBHOOK_TIMEOUT_MS: env.int(15000, { min: 1, max: 120000 }),
    },
    source,
  );
  const problems: string[] = [];
  const kafka = collectProblems(problems, () => kafkaConnection(config));
  const topics = collectProblems(problems, () => topicCatalog(config));
  const database = collectProblems(problems, () =>
    databaseConnection(config.DATABASE_URL, config.DATABASE_SSL_CA_FILE),
  );
  const keyRing = collectProblems(problems, () => {
    try {
      // Parsed here so a malformed key stops the boot with the variable's name, like any setting.
      return parseMasterKeys(config.HOOKLINE_MASTER_KEY, MASTER_KEY_ENV);
    } catch (error) {
      if (error instanceof CryptoError) throw new ConfigError([error.message]);
      throw error;
    }
  });
  if (problems.length > 0 || !kafka || !topics || !database || !keyRing) {
    throw new ConfigError(problems);
  }
  return { ...config, keyRing, kafka, topics, database };
};

export type ConfigApiConfig = ReturnType<typeof loadConfig>;
