import {
  AUTO_PAUSE_THRESHOLD,
  parseRetryPolicy,
  RetryPolicyError,
} from '@hookline/deliveries-domain';
import { EgressAllowListError, parseAllowCidrs } from '@hookline/deliveries-sender';
import {
  collectProblems,
  ConfigError,
  env,
  parseEnv,
  RETENTION_SETTINGS,
} from '@hookline/shared-config';
import { CryptoError, MASTER_KEY_ENV, parseMasterKeys } from '@hookline/shared-crypto';
import { databaseConnection } from '@hookline/shared-event-store';
import {
  KAFKA_CONNECTION_SETTINGS,
  kafkaConnection,
  TOPIC_SETTINGS,
  topicCatalog,
} from '@hookline/shared-kafka';
import { LOG_LEVELS } from '@hookline/shared-nest';
import { readFileSync } from 'node:fs';

/** Time a lease keeps beyond the request deadline, to record the outcome. */
const LEASE_MARGIN_MS = 5_000;

/** Every setting of the delivery worker, parsed once at boot (documented in .env.example). */
export const loadConfig = (source: NodeJS.ProcessEnv = process.env) => {
  const config = parseEnv(
    {
      HOOKLINE_DELIVERY_WORKER_HOST: env.string('127.0.0.1'),
      HOOKLINE_DELIVERY_WORKER_PORT: env.port(3002),
      HOOKLINE_DELIVERY_WORKER_OPERATIONS_PORT: env.optionalPort(),
      DATABASE_URL: env.url(['postgres', 'postgresql']),
      DATABASE_SSL_CA_FILE: env.optionalString(),
      ...KAFKA_CONNECTION_SETTINGS,
      ...TOPIC_SETTINGS,
      HOOKLINE_LOG_LEVEL: env.oneOf(LOG_LEVELS, 'info'),
      HOOKLINE_MASTER_KEY: env.string(),
      HOOKLINE_VENDOR: env.string('Corgea'),
      HOOKLINE_EGRESS_ALLOW_CIDRS: env.optionalString(),
      HOOKLINE_EXTRA_CA_FILE: env.optionalString(),
      HOOKLINE_RETRY_POLICY: env.string('attempts=3;delays=2,4'),
      HOOKLINE_AUTO_PAUSE_THRESHOLD: env.int(AUTO_PAUSE_THRESHOLD, { min: 1, max: 10_000 }),
      HOOKLINE_DELIVERY_TIMEOUT_MS: env.int(10_000, { min: 100, max: 120_000 }),
      HOOKLINE_MAX_RESPONSE_BYTES: env.int(8192, { min: 0, max: 1_048_576 }),
      HOOKLINE_DELIVERY_CONCURRENCY: env.int(64, { min: 1, max: 10_000 }),
      HOOKLINE_DELIVERY_ENDPOINT_CONCURRENCY: env.int(8, { min: 1, max: 1000 }),
      HOOKLINE_DELIVERY_LEASE_MS: env.int(30_000, { min: 1000, max: 3_600_000 }),
      HOOKLINE_DELIVERY_POLL_MS: env.int(1000, { min: 10, max: 60_000 }),
      HOOKLINE_DATABASE_POOL_SIZE: env.int(20, { min: 2, max: 500 }),
      HOOKLINE_DELIVERY_WORKER_GROUP: env.string('hookline-delivery-worker'),
      ...RETENTION_SETTINGS,
      HOOKLINE_RETENTION_INTERVAL_MS: env.int(3_600_000, { min: 10_000, max: 86_400_000 }),
    },
    source,
  );
  const problems: string[] = [];
  const kafka = collectProblems(problems, () => kafkaConnection(config));
  const topics = collectProblems(problems, () => topicCatalog(config));
  const database = collectProblems(problems, () =>
    databaseConnection(config.DATABASE_URL, config.DATABASE_SSL_CA_FILE),
  );
  const attempt = <T>(name: string, parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      if (
        error instanceof CryptoError ||
        error instanceof RetryPolicyError ||
        error instanceof EgressAllowListError
      ) {
        problems.push(error.message.includes(name) ? error.message : `${name}: ${error.message}`);
        return undefined;
      }
      throw error;
    }
  };
  const keyRing = attempt(MASTER_KEY_ENV, () =>
    parseMasterKeys(config.HOOKLINE_MASTER_KEY, MASTER_KEY_ENV),
  );
  const retryPolicy = attempt('HOOKLINE_RETRY_POLICY', () =>
    parseRetryPolicy(config.HOOKLINE_RETRY_POLICY),
  );
  const allowCidrs =
    attempt('HOOKLINE_EGRESS_ALLOW_CIDRS', () =>
      parseAllowCidrs(config.HOOKLINE_EGRESS_ALLOW_CIDRS),
    ) ?? [];
  let extraCa: string | undefined;
  if (config.HOOKLINE_EXTRA_CA_FILE !== '') {
    try {
      extraCa = readFileSync(config.HOOKLINE_EXTRA_CA_FILE, 'utf8');
    } catch (error) {
      problems.push(
        `HOOKLINE_EXTRA_CA_FILE cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}): ${config.HOOKLINE_EXTRA_CA_FILE}`,
      );
    }
  }
  if (config.HOOKLINE_DELIVERY_LEASE_MS < config.HOOKLINE_DELIVERY_TIMEOUT_MS + LEASE_MARGIN_MS) {
    problems.push(
      `HOOKLINE_DELIVERY_LEASE_MS must outlast HOOKLINE_DELIVERY_TIMEOUT_MS by at least ${LEASE_MARGIN_MS} ms (the time to record the outcome), got ${config.HOOKLINE_DELIVERY_LEASE_MS}`,
    );
  }
  if (config.HOOKLINE_DELIVERY_ENDPOINT_CONCURRENCY > config.HOOKLINE_DELIVERY_CONCURRENCY) {
    problems.push(
      'HOOKLINE_DELIVERY_ENDPOINT_CONCURRENCY must not exceed HOOKLINE_DELIVERY_CONCURRENCY',
    );
  }
  if (problems.length > 0 || !keyRing || !retryPolicy || !kafka || !topics || !database) {
    throw new ConfigError(problems);
  }
  return { ...config, keyRing, retryPolicy, allowCidrs, extraCa, kafka, topics, database };
};

export type DeliveryWorkerConfig = ReturnType<typeof loadConfig>;
