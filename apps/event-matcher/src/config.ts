import { env, parseEnv } from '@hookline/shared-config';

/** Every setting of the event matcher, parsed once at boot (documented in .env.example). */
export const loadConfig = (source: NodeJS.ProcessEnv = process.env) =>
  parseEnv(
    {
      HOOKLINE_EVENT_MATCHER_HOST: env.string('127.0.0.1'),
      HOOKLINE_EVENT_MATCHER_PORT: env.port(3001),
      KAFKA_BROKERS: env.list(),
    },
    source,
  );

export type EventMatcherConfig = ReturnType<typeof loadConfig>;
