import {
  collectProblems,
  ConfigError,
  env,
  parseEnv,
  RETENTION_SETTINGS,
} from '@hookline/shared-config';
import { databaseConnection } from '@hookline/shared-event-store';
import {
  KAFKA_CONNECTION_SETTINGS,
  kafkaConnection,
  TOPIC_SETTINGS,
  topicCatalog,
} from '@hookline/shared-kafka';
import { LOG_LEVELS } from '@hookline/shared-nest';
import { CryptoError, MASTER_KEY_ENV, parseMasterKeys } from '@hookline/shared-crypto';
import {
  DEFAULT_WEBHOOK_QUOTAS,
  WEBHOOK_QUOTA_CEILINGS,
  type WebhookQuotas,
} from '@hookline/webhooks-domain';

const quota = (name: keyof WebhookQuotas, min: number) =>
  env.int(DEFAULT_WEBHOOK_QUOTAS[name], { min, max: WEBHOOK_QUOTA_CEILINGS[name] });

/** Every setting of the config API, parsed once at boot (documented in .env.example). */
export const loadConfig = (source: NodeJS.ProcessEnv = process.env) => {
  const config = parseEnv(
    {
      HOOKLINE_CONFIG_API_HOST: env.string('127.0.0.1'),
      HOOKLINE_CONFIG_API_PORT: env.port(3000),
      HOOKLINE_CONFIG_API_OPERATIONS_PORT: env.optionalPort(),
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
      HOOKLINE_REPLAY_MAX_DELIVERIES: env.int(100_000, { min: 1, max: 10_000_000 }),
      HOOKLINE_RECOVER_MAX_WINDOW_DAYS: env.int(30, { min: 1, max: 3650 }),
      HOOKLINE_QUOTA_WEBHOOKS_PER_COMPANY: quota('webhooksPerCompany', 1),
      HOOKLINE_QUOTA_HEADERS_PER_WEBHOOK: quota('headersPerWebhook', 0),
      HOOKLINE_QUOTA_TEMPLATE_BYTES: quota('templateMaxBytes', 256),
      HOOKLINE_QUOTA_RECORD_BYTES: quota('recordMaxBytes', 4096),
      HOOKLINE_RATE_LIMIT_PER_MINUTE: env.int(600, { min: 1, max: 1_000_000 }),
      HOOKLINE_RATE_LIMIT_COSTLY_PER_MINUTE: env.int(30, { min: 1, max: 1_000_000 }),
      HOOKLINE_EXPORT_CONCURRENCY: env.int(4, { min: 1, max: 64 }),
      HOOKLINE_EXPORT_CONCURRENCY_PER_COMPANY: env.int(1, { min: 1, max: 64 }),
      HOOKLINE_EXPORT_STATEMENT_TIMEOUT_MS: env.int(30_000, { min: 100, max: 3_600_000 }),
      HOOKLINE_EXPORT_MAX_DURATION_MS: env.int(600_000, { min: 100, max: 86_400_000 }),
      HOOKLINE_EXPORT_MAX_RANGE_DAYS: env.int(31, { min: 1, max: 3660 }),
      ...RETENTION_SETTINGS,
      HOOKLINE_DASHBOARD_DIR: env.string('dist/apps/dashboard'),
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
  return {
    ...config,
    keyRing,
    kafka,
    topics,
    database,
    quotas: {
      webhooksPerCompany: config.HOOKLINE_QUOTA_WEBHOOKS_PER_COMPANY,
      headersPerWebhook: config.HOOKLINE_QUOTA_HEADERS_PER_WEBHOOK,
      templateMaxBytes: config.HOOKLINE_QUOTA_TEMPLATE_BYTES,
      recordMaxBytes: config.HOOKLINE_QUOTA_RECORD_BYTES,
    } satisfies WebhookQuotas,
  };
};

export type ConfigApiConfig = ReturnType<typeof loadConfig>;
