import { CreateWebhookEvents1764187200000 } from './1764187200000-create-webhook-events';
import { AddTransactionIdToWebhookEvents1764190800000 } from './1764190800000-add-transaction-id-to-webhook-events';
import { CreateOutbox1764194400000 } from './1764194400000-create-outbox';
import { CreateOutboxDeadLetters1764813600000 } from './1764813600000-create-outbox-dead-letters';

/** The event store's migrations, oldest first. */
export const EVENT_STORE_MIGRATIONS = [
  CreateWebhookEvents1764187200000,
  AddTransactionIdToWebhookEvents1764190800000,
  CreateOutbox1764194400000,
  CreateOutboxDeadLetters1764813600000,
] as const;
