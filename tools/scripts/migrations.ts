import { ACCESS_MIGRATIONS } from '@hookline/access-data-access';
import { DELIVERIES_MIGRATIONS } from '@hookline/deliveries-data-access';
import { EVENT_STORE_MIGRATIONS } from '@hookline/shared-event-store';
import { WEBHOOKS_MIGRATIONS } from '@hookline/webhooks-data-access';

/** Every migration of the platform's database, whichever lib owns the table. */
export const ALL_MIGRATIONS = [
  ...EVENT_STORE_MIGRATIONS,
  ...WEBHOOKS_MIGRATIONS,
  ...ACCESS_MIGRATIONS,
  ...DELIVERIES_MIGRATIONS,
];
