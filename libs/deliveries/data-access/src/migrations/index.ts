import { CreateDeliveryLog1764205200000 } from './1764205200000-create-delivery-log';
import { CreateDeliveryQueue1764291600000 } from './1764291600000-create-delivery-queue';
import { AddRequestToDeliveryQueue1764378000000 } from './1764378000000-add-request-to-delivery-queue';
import { AddDeliveryHistoryIndexes1764464400000 } from './1764464400000-add-delivery-history-indexes';
import { AddOrderedLaneToDeliveryQueue1764550800000 } from './1764550800000-add-ordered-lane-to-delivery-queue';
import { KeepRequestKeyOrder1764637200000 } from './1764637200000-keep-request-key-order';
import { CreateWebhookStatus1764810000000 } from './1764810000000-create-webhook-status';
import { AddLaneWaitingToDeliveryQueue1764817200000 } from './1764817200000-add-lane-waiting-to-delivery-queue';
import { PartitionDeliveryLogByWeek1764900000000 } from './1764900000000-partition-delivery-log-by-week';
import { AddWebhookClaimGates1764910000000 } from './1764910000000-add-webhook-claim-gates';
import { CreateDeliveryLogRelay1765000000000 } from './1765000000000-create-delivery-log-relay';

/** The delivery log's migrations, oldest first (the event store's run before them). */
export const DELIVERIES_MIGRATIONS = [
  CreateDeliveryLog1764205200000,
  CreateDeliveryQueue1764291600000,
  AddRequestToDeliveryQueue1764378000000,
  AddDeliveryHistoryIndexes1764464400000,
  AddOrderedLaneToDeliveryQueue1764550800000,
  KeepRequestKeyOrder1764637200000,
  CreateWebhookStatus1764810000000,
  AddLaneWaitingToDeliveryQueue1764817200000,
  PartitionDeliveryLogByWeek1764900000000,
  AddWebhookClaimGates1764910000000,
  CreateDeliveryLogRelay1765000000000,
] as const;
