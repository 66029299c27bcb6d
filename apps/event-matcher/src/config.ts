import { env, parseEnv } from '@hookline/shared-config';
import { LOG_LEVELS } from '@hookline/shared-nest';

/** Every setting of the event matcher, parsed once at boot (documented in .env.example). */
export const loadConfig = (source: NodeJS.ProcessEnv = process.env) =>
  parseEnv(
    {
      HOOKLINE_EVENT_MATCHER_HOST: env.string('127.0.0.1'),
      HOOKLINE_EVENT_MATCHER_PORT: env.port(3001),
      KAFKA_BROKERS: env.list(),
      HOOKLINE_LOG_LEVEL: env.oneOf(LOG_LEVELS, 'info'),
    },
    source,
  );

export type EventMatcherConfig = ReturnType<typeof loadConfig>;
