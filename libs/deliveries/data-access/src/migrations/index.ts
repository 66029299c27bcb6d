import { CreateDeliveryLog1764205200000 } from './1764205200000-create-delivery-log';
import { CreateDeliveryQueue1764291600000 } from './1764291600000-create-delivery-queue';

/** The delivery log's migrations, oldest first (the event store's run before them). */
export const DELIVERIES_MIGRATIONS = [
  CreateDeliveryLog1764205200000,
  CreateDeliveryQueue1764291600000,
] as const;
