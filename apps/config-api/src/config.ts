import { env, parseEnv } from '@hookline/shared-config';

/** Every setting of the config API, parsed once at boot (documented in .env.example). */
export const loadConfig = (source: NodeJS.ProcessEnv = process.env) =>
  parseEnv(
    {
      HOOKLINE_CONFIG_API_HOST: env.string('127.0.0.1'),
      HOOKLINE_CONFIG_API_PORT: env.port(3000),
      DATABASE_URL: env.url(['postgres', 'postgresql']),
      KAFKA_BROKERS: env.list(),
    },
    source,
  );

export type ConfigApiConfig = ReturnType<typeof loadConfig>;
