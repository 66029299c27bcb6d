import type { DeliveryRequested } from '@hookline/contracts';
import { type ClaimHold, type DeliveryState, holdAtClaim } from '@hookline/deliveries-domain';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

/** A due delivery this worker holds a lease on. */
export interface ClaimedDelivery {
  readonly deliveryId: string;
  readonly webhookId: string;
  readonly claimId: string;
  /**
   * The request of the current round (its envelope is what is sent): the first request as
   * accepted at intake, or the later request that re-opened the delivery (a manual retry).
   */
  readonly request: DeliveryRequested;
  /** The delivery as its log stood when it was claimed. */
  readonly state: DeliveryState;
  /**
   * What the database said of the webhook at the claim ({@link holdAtClaim}): the source of
   * truth for a pause, ahead of `webhooks.config` reaching this worker.
   */
  readonly hold: ClaimHold;
  /** The webhook's version as the config API last committed it, when it recorded one. */
  readonly webhookVersion?: number;
}

export interface ClaimOptions {
  /** At most this many rows. */
  readonly limit: number;
  /**
   * At most this many rows of one webhook leased at once, across every worker: the per-endpoint
   * concurrency limit of the fleet. Rows already leased (by any worker) count against it.
   */
  readonly perWebhookLimit: number;
  /** Webhooks whose rows are left alone (this worker is at its limit for them). */
  readonly skipWebhooks: readonly string[];
  /** How long the lease lasts unless renewed. */
  readonly leaseMs: number;
}

/**
 * How many due rows a claim ranks per webhook: a few per row it may take, so a claim of a few
 * freed slots stays a small statement. Rows of webhooks at their limit are not counted (the scan
 * skips them), so a backlog of a full webhook at the head of the queue uses none of it.
 */
export function claimScanRows(limit: number): number {
  return Math.min(2000, Math.max(100, limit * 8));
}

/**
 * One claim, one round trip: due rows that are not waiting behind an ordered lane's head, so that
 * no webhook has more than $2 calls in flight across every worker (leases not run out, counted
 * through `delivery_queue_leased_idx`) and at most $3 rows in all, leased with claim id $4 for
 * $5 ms, skipping webhooks $1 and ranking at most $6 due rows ({@link claimScanRows}); with each claimed delivery's request, state and what the database
 * says of its webhook.
 *
 * The fleet-wide count holds under concurrent claims through the webhook's gate row (ADR 0012):
 * a claim locks the gates of the webhooks it takes work of (`FOR UPDATE SKIP LOCKED`: one another
 * claim holds is left to the next claim) and bumps their `claims`. Under READ COMMITTED a gate
 * bumped by a claim that committed after this statement's snapshot is locked in its new version,
 * whose `claims` differs from the snapshot's: that webhook is left out too, since the leases
 * counted here may miss that claim's. A webhook taken has its leases counted exactly.
 */
export const CLAIM_SQL = `WITH leases AS MATERIALIZED (
         -- Calls in flight to each webhook across the fleet (leases not run out): one pass over
         -- the leased rows, at most the fleet's concurrency, through delivery_queue_leased_idx.
         SELECT webhook_id, count(*) AS leased FROM delivery_queue
          WHERE claim_id IS NOT NULL AND claimed_until >= now()
          GROUP BY webhook_id
       ), due AS (
         -- Rows behind the head of an ordered lane are waiting, and out of this index. Webhooks
         -- at their limit, here or across the fleet, are skipped, not counted against $6.
         SELECT delivery_id, webhook_id, due_at FROM delivery_queue q
          WHERE NOT q.waiting AND due_at <= now()
            AND (claimed_until IS NULL OR claimed_until < now())
            AND webhook_id <> ALL($1::text[])
            AND webhook_id <> ALL(ARRAY(SELECT l.webhook_id FROM leases l WHERE l.leased >= $2))
          ORDER BY due_at LIMIT $6
       ), ranked AS (
         SELECT delivery_id, webhook_id, due_at,
                COALESCE(f.leased, 0)
                  + row_number() OVER (PARTITION BY webhook_id ORDER BY due_at, delivery_id) AS nth
           FROM due LEFT JOIN leases f USING (webhook_id)
       ), candidates AS (
         SELECT delivery_id, webhook_id FROM ranked WHERE nth <= $2 ORDER BY due_at LIMIT $3
       ), gates AS (
         SELECT g.webhook_id, g.claims FROM webhook_claim_gates g
          WHERE g.webhook_id IN (SELECT webhook_id FROM candidates)
          FOR UPDATE OF g SKIP LOCKED
       ), open_gates AS (
         -- The snapshot's version of the gate: equal claims means no claim of the webhook
         -- committed since the snapshot, so its leases were counted right.
         SELECT gates.webhook_id FROM gates
           JOIN webhook_claim_gates seen ON seen.webhook_id = gates.webhook_id
                                        AND seen.claims = gates.claims
       ), bumped AS (
         UPDATE webhook_claim_gates g SET claims = g.claims + 1
           FROM open_gates o WHERE g.webhook_id = o.webhook_id
       ), locked AS (
         -- The queue rows are found by id (an index condition): joined to the CTEs instead,
         -- statistics that lag a burst can make this a scan of the whole queue per claim.
         SELECT q.delivery_id FROM delivery_queue q
          WHERE q.delivery_id = ANY(ARRAY(
                  SELECT c.delivery_id FROM candidates c
                    JOIN open_gates o ON o.webhook_id = c.webhook_id))
            AND (q.claimed_until IS NULL OR q.claimed_until < now())
          FOR UPDATE OF q SKIP LOCKED
       ), claimed AS (
         UPDATE delivery_queue q
            SET claim_id = $4, claimed_until = now() + $5 * interval '1 millisecond'
          WHERE q.delivery_id = ANY(ARRAY(SELECT delivery_id FROM locked))
         RETURNING q.delivery_id, q.webhook_id, q.request
       )
       -- Each claimed delivery's request and state are looked up by id in every partition
       -- (OFFSET 0 keeps each lookup a subquery of its own): joined as tables, statistics that
       -- lag a burst can make them a hash join over every partition's rows.
       SELECT c.delivery_id, c.webhook_id, COALESCE(c.request, r.request) AS request, d.state,
              ws.status AS webhook_status, ws.version AS webhook_version,
              (fs.streak->>'pauseRequested')::boolean AS pause_requested, fs.paused_at_version
         FROM claimed c
         CROSS JOIN LATERAL (SELECT k.request FROM delivery_requests k
                              WHERE k.delivery_id = c.delivery_id OFFSET 0) r
         CROSS JOIN LATERAL (SELECT e.state FROM deliveries e
                              WHERE e.delivery_id = c.delivery_id OFFSET 0) d
         LEFT JOIN webhook_status ws ON ws.webhook_id = c.webhook_id
         LEFT JOIN webhook_failure_streaks fs ON fs.webhook_id = c.webhook_id`;

/**
 * Claims due rows whose lease is free or ran out, oldest due first, so that no webhook has more
 * than `perWebhookLimit` rows leased across every worker (leases that ran out do not count),
 * skipping rows another transaction is claiming
 * (`FOR UPDATE SKIP LOCKED`). Each claimed row gets one claim id and a lease of `leaseMs`.
 */
export async function claimDue(
  dataSource: DataSource,
  options: ClaimOptions,
): Promise<ClaimedDelivery[]> {
  if (options.limit < 1) return [];
  const claimId = randomUUID();
  // One round trip: the claim, the request and state of each claimed delivery, and what the
  // database says of its webhook (status committed by the config API, the worker's streak).
  // Planned at every call, never prepared: a generic plan made while the queue was empty (a quiet
  // hour, a platform just started) stays cached through the burst that follows, its scans of a
  // queue and partitions it takes for a few rows running 30 times slower than a plan made on the
  // tables as they are (225 ms against 7 ms at 20,000 queued rows). Planning costs about 1 ms.
  const rows: Array<{
    delivery_id: string;
    webhook_id: string;
    request: DeliveryRequested;
    state: DeliveryState;
    webhook_status: 'active' | 'paused' | 'deleted' | null;
    webhook_version: number | null;
    pause_requested: boolean | null;
    paused_at_version: number | null;
  }> = await dataSource.query(CLAIM_SQL, [
    options.skipWebhooks,
    options.perWebhookLimit,
    options.limit,
    claimId,
    options.leaseMs,
    claimScanRows(options.limit),
  ]);
  return rows.map((row) => ({
    deliveryId: row.delivery_id,
    webhookId: row.webhook_id,
    claimId,
    request: row.request,
    state: row.state,
    ...(row.webhook_version === null ? {} : { webhookVersion: row.webhook_version }),
    hold: holdAtClaim({
      ...(row.webhook_status === null ? {} : { status: row.webhook_status }),
      ...(row.webhook_version === null ? {} : { version: row.webhook_version }),
      pauseRequested: row.pause_requested === true,
      pausedAtVersion: row.paused_at_version,
    }),
  }));
}

/** Extends the leases of claims still held; returns how many were. */
export async function renewClaims(
  dataSource: DataSource,
  claims: ReadonlyArray<Pick<ClaimedDelivery, 'deliveryId' | 'claimId'>>,
  leaseMs: number,
): Promise<number> {
  if (claims.length === 0) return 0;
  const result: [unknown[], number] = await dataSource.query(
    `UPDATE delivery_queue q SET claimed_until = now() + $3 * interval '1 millisecond'
       FROM unnest($1::text[], $2::uuid[]) AS c(delivery_id, claim_id)
      WHERE q.delivery_id = c.delivery_id AND q.claim_id = c.claim_id`,
    [claims.map((c) => c.deliveryId), claims.map((c) => c.claimId), leaseMs],
  );
  return result[1];
}

/**
 * Hands claims back unsent: the rows become claimable at once, or at `dueAt` (a delivery
 * waiting for its webhook's configuration).
 */
export async function releaseClaims(
  dataSource: DataSource,
  claims: ReadonlyArray<Pick<ClaimedDelivery, 'deliveryId' | 'claimId'>>,
  dueAt?: Date,
): Promise<void> {
  if (claims.length === 0) return;
  await dataSource.query(
    `UPDATE delivery_queue q
        SET claim_id = NULL, claimed_until = NULL, due_at = COALESCE($3::timestamptz, q.due_at)
       FROM unnest($1::text[], $2::uuid[]) AS c(delivery_id, claim_id)
      WHERE q.delivery_id = c.delivery_id AND q.claim_id = c.claim_id`,
    [claims.map((c) => c.deliveryId), claims.map((c) => c.claimId), dueAt?.toISOString() ?? null],
  );
}
