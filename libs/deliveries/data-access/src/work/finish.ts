import type { DeliveryLogEvent } from '@hookline/contracts';
import { type DeliveryState, evolveDelivery } from '@hookline/deliveries-domain';
import { inTransaction } from '@hookline/shared-event-store';
import type { DataSource, EntityManager } from 'typeorm';
import type { DeliveryLogStore } from '../delivery-log.store';
import type { ClaimedDelivery } from './claims';
import {
  ATTEMPT_TYPES,
  type FailureStreakOptions,
  lockFailureStreaks,
  recordFailureStreaks,
} from './failure-streak';

/** How an outcome is recorded: the webhook as the worker sees it, and the auto-pause settings. */
export type FinishOptions = FailureStreakOptions;

export interface FinishItem {
  readonly claim: Pick<ClaimedDelivery, 'deliveryId' | 'webhookId' | 'claimId'>;
  /** Decides the log events against the delivery as its log stands (locked). */
  readonly decide: (state: DeliveryState) => DeliveryLogEvent[];
  readonly options?: FinishOptions;
}

export interface FinishResult {
  /** The log events this call added (empty when another worker recorded them first). */
  readonly added: DeliveryLogEvent[];
  /** The delivery after them. */
  readonly state: DeliveryState;
  /** An `AutoPauseWebhook` command was written to the outbox. */
  readonly pauseRequested: boolean;
  /** The claim was still this worker's (false: it ran out and another worker took it back). */
  readonly claimHeld: boolean;
}

/**
 * Records what happened to claimed deliveries, in one transaction, with set-based statements: what a busy
 * worker records as calls complete. Results are in the order of `items`. One bad item fails
 * the lot; the caller may then record the items one by one.
 *
 * Three round trips between the transaction's begin and commit, whatever the batch holds: the
 * locks (the deliveries, then the failure streaks of the batch's webhooks), the log events, and
 * every write that follows from them sent at once (the projections, the queue rows, the lanes,
 * the streaks, an auto-pause command). Statements sent together run back to back on the
 * connection; one awaited at a time, each would also wait for the worker's event loop to come
 * round, and on a busy worker that wait was most of the recorder's time.
 */
export async function finishClaims(
  dataSource: DataSource,
  log: DeliveryLogStore,
  items: readonly FinishItem[],
): Promise<FinishResult[]> {
  if (items.length === 0) return [];
  return inTransaction(dataSource, async (manager) => {
    const [rows, streaks] = await Promise.all([
      log.lock(
        manager,
        items.map((item) => item.claim.deliveryId),
      ),
      lockFailureStreaks(
        manager,
        items.map((item) => item.claim.webhookId),
      ),
    ]);
    const locked = new Map(rows.map((row) => [row.delivery_id, row.state]));
    const current = new Map(locked);
    const decided: DeliveryLogEvent[] = [];
    for (const item of items) {
      const { deliveryId } = item.claim;
      const state = current.get(deliveryId);
      if (!state) throw new Error(`delivery ${deliveryId} has no log`);
      const events = item.decide(state);
      current.set(
        deliveryId,
        events.reduce<DeliveryState>((s, e) => evolveDelivery(s, e), state),
      );
      decided.push(...events);
    }
    const added = await log.insertEvents(manager, decided, rows);
    const addedBy = new Map<string, DeliveryLogEvent[]>();
    for (const event of added) {
      addedBy.set(event.deliveryId, [...(addedBy.get(event.deliveryId) ?? []), event]);
    }
    const after = new Map(
      [...locked].map(([id, state]) => [
        id,
        (addedBy.get(id) ?? []).reduce<DeliveryState>((s, e) => evolveDelivery(s, e), state),
      ]),
    );

    const open = (id: string) => {
      const status = after.get(id)?.status;
      return status === 'retry_scheduled' || status === 'pending';
    };
    const byId = (a: FinishItem, b: FinishItem) =>
      a.claim.deliveryId < b.claim.deliveryId ? -1 : 1;
    const moves = items.filter((i) => open(i.claim.deliveryId)).sort(byId);
    const ends = items.filter((i) => !open(i.claim.deliveryId)).sort(byId);

    // The streaks of all the batch's webhooks at once, each with the options of its last item.
    const ofWebhook = new Map<string, { added: DeliveryLogEvent[]; options: FinishOptions }>();
    for (const item of items) {
      const entry = ofWebhook.get(item.claim.webhookId);
      if (entry) entry.options = item.options ?? {};
      else ofWebhook.set(item.claim.webhookId, { added: [], options: item.options ?? {} });
    }
    for (const event of added) ofWebhook.get(event.webhookId)?.added.push(event);
    const streaked = recordFailureStreaks(
      manager,
      [...ofWebhook].map(([webhookId, { added, options }]) => ({ webhookId, added, options })),
      streaks,
    );

    const [moved, ended] = await Promise.all([
      moveRows(manager, moves, after),
      endRows(manager, ends),
      log.project(manager, added, rows),
      streaked.written,
    ]);
    const held = new Set([...moved, ...ended]);

    return items.map((item) => {
      const { deliveryId, webhookId } = item.claim;
      const own = addedBy.get(deliveryId) ?? [];
      const state = after.get(deliveryId);
      if (!state) throw new Error(`delivery ${deliveryId} has no log`);
      return {
        added: own,
        state,
        pauseRequested:
          streaked.paused.has(webhookId) && own.some((e) => ATTEMPT_TYPES.has(e.type)),
        claimHeld: held.has(deliveryId),
      };
    });
  });
}

/**
 * The queue rows of deliveries still open go back to the queue, due at their next attempt;
 * returns the ids whose claim was still this one's.
 */
async function moveRows(
  manager: EntityManager,
  moves: readonly FinishItem[],
  after: ReadonlyMap<string, DeliveryState>,
): Promise<string[]> {
  if (moves.length === 0) return [];
  const [rows]: [Array<{ delivery_id: string }>, number] = await manager.query(
    `UPDATE delivery_queue q SET claim_id = NULL, claimed_until = NULL,
            due_at = COALESCE(m.due_at, q.due_at)
       FROM unnest($1::text[], $2::uuid[], $3::timestamptz[]) AS m(delivery_id, claim_id, due_at)
      WHERE q.delivery_id = m.delivery_id AND q.claim_id = m.claim_id
     RETURNING q.delivery_id`,
    [
      moves.map((i) => i.claim.deliveryId),
      moves.map((i) => i.claim.claimId),
      moves.map((i) => after.get(i.claim.deliveryId)?.nextAttemptAt ?? null),
    ],
  );
  return rows.map((row) => row.delivery_id);
}

/**
 * The queue rows of deliveries that ended go, and each lane whose head ended gets its next row
 * as head (claimable): the first other row of the lane by `seq`, found through the lane's index.
 * One statement, which sees the queue as it was before its delete. Returns the ids whose claim
 * was still this one's.
 */
async function endRows(manager: EntityManager, ends: readonly FinishItem[]): Promise<string[]> {
  if (ends.length === 0) return [];
  const rows: Array<{ delivery_id: string }> = await manager.query(
    `WITH ended AS (
       DELETE FROM delivery_queue q
        USING unnest($1::text[], $2::uuid[]) AS e(delivery_id, claim_id)
        WHERE q.delivery_id = e.delivery_id AND q.claim_id = e.claim_id
       RETURNING q.delivery_id, q.webhook_id, q.ordered
     ), heads AS (
       SELECT l.delivery_id
         FROM (SELECT DISTINCT webhook_id FROM ended WHERE ordered) w
         CROSS JOIN LATERAL (
           SELECT o.delivery_id, o.waiting FROM delivery_queue o
            WHERE o.webhook_id = w.webhook_id AND o.ordered
              AND o.delivery_id NOT IN (SELECT delivery_id FROM ended)
            ORDER BY o.seq LIMIT 1) l
        WHERE l.waiting
     ), advanced AS (
       UPDATE delivery_queue q SET waiting = false
         FROM heads WHERE q.delivery_id = heads.delivery_id
     )
     SELECT delivery_id FROM ended`,
    [ends.map((i) => i.claim.deliveryId), ends.map((i) => i.claim.claimId)],
  );
  return rows.map((row) => row.delivery_id);
}
