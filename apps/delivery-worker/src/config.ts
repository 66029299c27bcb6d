import { env, parseEnv } from '@hookline/shared-config';
import { LOG_LEVELS } from '@hookline/shared-nest';

/** Every setting of the delivery worker, parsed once at boot (documented in .env.example). */
export const loadConfig = (source: NodeJS.ProcessEnv = process.env) =>
  parseEnv(
    {
      HOOKLINE_DELIVERY_WORKER_HOST: env.string('127.0.0.1'),
      HOOKLINE_DELIVERY_WORKER_PORT: env.port(3002),
      DATABASE_URL: env.url(['postgres', 'postgresql']),
      KAFKA_BROKERS: env.list(),
      HOOKLINE_LOG_LEVEL: env.oneOf(LOG_LEVELS, 'info'),
    },
    source,
  );

export type DeliveryWorkerConfig = ReturnType<typeof loadConfig>;
