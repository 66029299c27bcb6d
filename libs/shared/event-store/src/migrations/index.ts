import { CreateWebhookEvents1764187200000 } from './1764187200000-create-webhook-events';

/** The event store's migrations, oldest first. */
export const EVENT_STORE_MIGRATIONS = [CreateWebhookEvents1764187200000] as const;
