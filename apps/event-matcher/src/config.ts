import { collectProblems, ConfigError, env, parseEnv } from '@hookline/shared-config';
import {
  KAFKA_CONNECTION_SETTINGS,
  kafkaConnection,
  TOPIC_SETTINGS,
  topicCatalog,
} from '@hookline/shared-kafka';
import { LOG_LEVELS } from '@hookline/shared-nest';
import { DEFAULT_MAX_EVENT_BYTES } from '@hookline/webhooks-domain';

/** Every setting of the event matcher, parsed once at boot (documented in .env.example). */
export const loadConfig = (source: NodeJS.ProcessEnv = process.env) => {
  const config = parseEnv(
    {
      HOOKLINE_EVENT_MATCHER_HOST: env.string('127.0.0.1'),
      HOOKLINE_EVENT_MATCHER_PORT: env.port(3001),
      HOOKLINE_EVENT_MATCHER_OPERATIONS_PORT: env.optionalPort(),
      ...KAFKA_CONNECTION_SETTINGS,
      ...TOPIC_SETTINGS,
      HOOKLINE_LOG_LEVEL: env.oneOf(LOG_LEVELS, 'info'),
      HOOKLINE_EVENT_MATCHER_GROUP: env.string('hookline-event-matcher'),
      HOOKLINE_MAX_EVENT_BYTES: env.int(DEFAULT_MAX_EVENT_BYTES, { min: 1024, max: 10_485_760 }),
    },
    source,
  );
  const problems: string[] = [];
  const kafka = collectProblems(problems, () => kafkaConnection(config));
  const topics = collectProblems(problems, () => topicCatalog(config));
  if (problems.length > 0 || !kafka || !topics) throw new ConfigError(problems);
  return { ...config, kafka, topics };
};

export type EventMatcherConfig = ReturnType<typeof loadConfig>;
