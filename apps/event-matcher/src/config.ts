import { KAFKA_TOPICS } from '@hookline/contracts';
import { env, parseEnv } from '@hookline/shared-config';
import { LOG_LEVELS } from '@hookline/shared-nest';
import { DEFAULT_MAX_EVENT_BYTES } from '@hookline/webhooks-domain';

/** Every setting of the event matcher, parsed once at boot (documented in .env.example). */
export const loadConfig = (source: NodeJS.ProcessEnv = process.env) =>
  parseEnv(
    {
      HOOKLINE_EVENT_MATCHER_HOST: env.string('127.0.0.1'),
      HOOKLINE_EVENT_MATCHER_PORT: env.port(3001),
      HOOKLINE_EVENT_MATCHER_OPERATIONS_PORT: env.optionalPort(),
      KAFKA_BROKERS: env.list(),
      HOOKLINE_LOG_LEVEL: env.oneOf(LOG_LEVELS, 'info'),
      HOOKLINE_INGEST_TOPICS: env.list([KAFKA_TOPICS.platformEvents]),
      HOOKLINE_DEAD_LETTER_TOPIC: env.string(KAFKA_TOPICS.platformEventsDlq),
      HOOKLINE_CONFIG_TOPIC: env.string(KAFKA_TOPICS.webhooksConfig),
      HOOKLINE_DELIVERIES_TOPIC: env.string(KAFKA_TOPICS.webhooksDeliveries),
      HOOKLINE_EVENT_MATCHER_GROUP: env.string('hookline-event-matcher'),
      HOOKLINE_MAX_EVENT_BYTES: env.int(DEFAULT_MAX_EVENT_BYTES, { min: 1024, max: 10_485_760 }),
      HOOKLINE_TOPIC_PARTITIONS: env.int(6, { min: 1, max: 1000 }),
    },
    source,
  );

export type EventMatcherConfig = ReturnType<typeof loadConfig>;
