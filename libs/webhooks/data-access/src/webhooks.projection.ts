import type { Webhook } from '@hookline/webhooks-domain';
import type { EntityManager } from 'typeorm';

/** Writes one webhook's current state to the read model; a deleted webhook leaves it. */
export async function projectWebhook(manager: EntityManager, webhook: Webhook): Promise<void> {
  if (webhook.deleted) {
    await manager.query(`DELETE FROM webhooks WHERE id = $1`, [webhook.id]);
    return;
  }
  await manager.query(
    `INSERT INTO webhooks (id, company, status, events, project_ids, version, created_at, updated_at, state)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (id) DO UPDATE SET
       company = EXCLUDED.company, status = EXCLUDED.status, events = EXCLUDED.events,
       project_ids = EXCLUDED.project_ids, version = EXCLUDED.version,
       created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, state = EXCLUDED.state
     WHERE webhooks.version < EXCLUDED.version`,
    [
      webhook.id,
      webhook.company,
      webhook.status,
      webhook.events,
      webhook.projectIds,
      webhook.version,
      webhook.createdAt,
      webhook.updatedAt,
      JSON.stringify(webhook),
    ],
  );
}
