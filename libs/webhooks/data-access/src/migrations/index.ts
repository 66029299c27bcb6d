import { CreateWebhooksProjection1764198000000 } from './1764198000000-create-webhooks-projection';

/** The webhooks read model's migrations, oldest first (the event store's run before them). */
export const WEBHOOKS_MIGRATIONS = [CreateWebhooksProjection1764198000000] as const;
