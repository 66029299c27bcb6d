import type { DeliveryLogEvent, DeliveryRequested } from '@hookline/contracts';
import { evolveDelivery, recordRequest, stillHeld } from '@hookline/deliveries-domain';
import { inTransaction } from '@hookline/shared-event-store';
import type { DataSource, EntityManager } from 'typeorm';
import type { DeliveryLogStore } from '../delivery-log.store';

export interface IntakeResult {
  /** Log events added (replayed requests add none). */
  readonly recorded: number;
  /** Deliveries put in the work queue. */
  readonly queued: number;
}

/** The class id of the intake's per-webhook advisory locks (the maintenance lock has another). */
const INTAKE_LOCK_CLASS = 0x686b;

/**
 * Records a batch of requests in one transaction: each request as accepted, the log events it
 * decides (`DeliveryRequested`, and `DeliverySkipped` for a held one; `ManualRetryRequested`
 * for a manual retry of a finished delivery), and a queue row for each delivery left pending.
 * Idempotent on the delivery id: a replayed batch records and queues nothing new.
 */
export async function intake(
  dataSource: DataSource,
  log: DeliveryLogStore,
  received: readonly DeliveryRequested[],
  now: Date,
): Promise<IntakeResult> {
  if (received.length === 0) return { recorded: 0, queued: 0 };
  return inTransaction(dataSource, async (manager) => {
    // One intake of a webhook at a time across the fleet: a delivery's row is keyed by its
    // creation time too (its partition), so two racing first intakes of one delivery (the same
    // chunk taken by two workers around a rebalance) would not collide on a key any more.
    await manager.query(
      `SELECT pg_advisory_xact_lock(${INTAKE_LOCK_CLASS}, hashtext(w)) FROM unnest($1::text[]) AS w`,
      [[...new Set(received.map((r) => r.webhookId))].sort()],
    );
    const requests = await releaseReactivated(manager, received);
    const known = await log.lock(
      manager,
      requests.map((r) => r.deliveryId),
    );
    const states = new Map(known.map((row) => [row.delivery_id, row.state]));
    const createdAt = new Map(known.map((row) => [row.delivery_id, row.created_at]));
    // The first request of a delivery is kept in its delivery's week: at `now` for a new one.
    // The rows travel as one JSON document, as the log's events do: a `json[]` parameter had pg
    // escape each request's text again as an array element and the server parse that literal.
    await manager.query(
      `INSERT INTO delivery_requests (delivery_id, webhook_id, company, request, recorded_at)
       SELECT r.delivery_id, r.webhook_id, r.company, r.request, r.recorded_at
         FROM json_to_recordset($1::json)
              AS r(delivery_id text, webhook_id text, company text, request json,
                   recorded_at timestamptz)
        WHERE NOT EXISTS (SELECT 1 FROM delivery_requests k WHERE k.delivery_id = r.delivery_id)
       ON CONFLICT (delivery_id, recorded_at) DO NOTHING`,
      [
        JSON.stringify(
          requests.map((r) => ({
            delivery_id: r.deliveryId,
            webhook_id: r.webhookId,
            company: r.company,
            request: r,
            recorded_at: createdAt.get(r.deliveryId) ?? now.toISOString(),
          })),
        ),
      ],
    );
    const events: DeliveryLogEvent[] = [];
    // delivery_requests keeps a delivery's first request; a round re-opened by a later one
    // carries that one on its queue row.
    const reopenedBy = new Map<string, DeliveryRequested>();
    for (const request of requests) {
      const decided = recordRequest(states.get(request.deliveryId), request, now);
      for (const event of decided) {
        states.set(event.deliveryId, evolveDelivery(states.get(event.deliveryId), event));
        if (event.type === 'ManualRetryRequested') reopenedBy.set(event.deliveryId, request);
      }
      events.push(...decided);
    }
    const orderedIds = new Set(requests.filter((r) => r.ordered === true).map((r) => r.deliveryId));
    const added = await log.append(events, manager, known);
    const touched = new Map(added.map((e) => [e.deliveryId, e.webhookId]));
    const pending = [...touched].filter(([id]) => states.get(id)?.status === 'pending');
    if (pending.length === 0) return { recorded: added.length, queued: 0 };
    const queued: Array<{ delivery_id: string; ordered: boolean }> = await manager.query(
      `INSERT INTO delivery_queue (delivery_id, webhook_id, due_at, enqueued_at, request, ordered)
       SELECT id, webhook, $3, $3, request, ordered
         FROM unnest($1::text[], $2::text[], $4::json[], $5::boolean[])
              WITH ORDINALITY AS t(id, webhook, request, ordered, n)
        ORDER BY n
       ON CONFLICT (delivery_id) DO NOTHING
       RETURNING delivery_id, ordered`,
      [
        pending.map(([id]) => id),
        pending.map(([, webhook]) => webhook),
        now.toISOString(),
        pending.map(([id]) => {
          const request = reopenedBy.get(id);
          return request ? JSON.stringify(request) : null;
        }),
        pending.map(([id]) => orderedIds.has(id)),
      ],
    );
    // Each webhook with work queued has its claim gate (see CLAIM_SQL) before a claim sees it.
    await manager.query(
      `INSERT INTO webhook_claim_gates (webhook_id)
       SELECT DISTINCT webhook FROM unnest($1::text[]) AS t(webhook)
       ON CONFLICT (webhook_id) DO NOTHING`,
      [pending.map(([, webhook]) => webhook)],
    );
    // A new ordered row behind its lane's head waits. A webhook's requests come from one
    // partition, taken in by one consumer at a time, so no other intake adds to its lane now.
    const ordered = queued.filter((row) => row.ordered).map((row) => row.delivery_id);
    if (ordered.length > 0) {
      await manager.query(
        `UPDATE delivery_queue q SET waiting = true
          WHERE q.delivery_id = ANY($1) AND EXISTS (
                SELECT 1 FROM delivery_queue o
                 WHERE o.webhook_id = q.webhook_id AND o.ordered AND o.seq < q.seq)`,
        [ordered],
      );
    }
    return { recorded: added.length, queued: queued.length };
  });
}

/**
 * Requests the matcher held, as the database sees their webhooks: one re-activated since the
 * version matched is no longer held ({@link stillHeld}).
 */
async function releaseReactivated(
  manager: EntityManager,
  requests: readonly DeliveryRequested[],
): Promise<readonly DeliveryRequested[]> {
  const held = [...new Set(requests.filter((r) => r.held === true).map((r) => r.webhookId))];
  if (held.length === 0) return requests;
  const rows: Array<{
    webhook_id: string;
    status: 'active' | 'paused' | 'deleted';
    version: number;
  }> = await manager.query(
    `SELECT webhook_id, status, version FROM webhook_status WHERE webhook_id = ANY($1)`,
    [held],
  );
  const status = new Map(rows.map((row) => [row.webhook_id, row]));
  return requests.map((request) => {
    const webhook = status.get(request.webhookId);
    if (!webhook || stillHeld(request, webhook)) return request;
    return { ...request, held: false };
  });
}
