import { CreateDeliveryLog1764205200000 } from './1764205200000-create-delivery-log';

/** The delivery log's migrations, oldest first (the event store's run before them). */
export const DELIVERIES_MIGRATIONS = [CreateDeliveryLog1764205200000] as const;
