import { env } from './env';

/**
 * How long delivery logs are kept, shared by the apps that drop them (the delivery worker) and
 * those that say so (the config API's history, export and statistics): days, 1 to 36,500.
 * Deliveries leave a week at a time, once their whole week is older than this, so a delivery is
 * kept at least this long and at most a week longer.
 */
export const RETENTION_SETTINGS = {
  HOOKLINE_RETENTION_DAYS: env.int(90, { min: 1, max: 36_500 }),
} as const;
