import { EVENT_STORE_MIGRATIONS } from '@hookline/shared-event-store';

/** Every migration of the platform's database, whichever lib owns the table. */
export const ALL_MIGRATIONS = [...EVENT_STORE_MIGRATIONS];
