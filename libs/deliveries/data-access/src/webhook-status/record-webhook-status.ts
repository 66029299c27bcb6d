import type { EntityManager } from 'typeorm';

export interface WebhookStatusChange {
  readonly webhookId: string;
  readonly status: 'active' | 'paused' | 'deleted';
  readonly version: number;
}

/**
 * Records a webhook's status in the caller's transaction (the config API's, with the change
 * itself). A lower version than the one held changes nothing.
 */
export async function recordWebhookStatus(
  manager: EntityManager,
  change: WebhookStatusChange,
): Promise<void> {
  await manager.query(
    `INSERT INTO webhook_status (webhook_id, status, version, updated_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (webhook_id) DO UPDATE
        SET status = EXCLUDED.status, version = EXCLUDED.version, updated_at = now()
      WHERE webhook_status.version <= EXCLUDED.version`,
    [change.webhookId, change.status, change.version],
  );
}
