import {
  type DeliveryLogEvent,
  type DeliveryRequested,
  KAFKA_HEADERS,
  KAFKA_TOPICS,
  type WebhookCommandRequested,
} from '@hookline/contracts';
import {
  AUTO_PAUSE_THRESHOLD,
  applyAttemptToStreak,
  type ClaimHold,
  holdAtClaim,
  stillHeld,
  type DeliveryState,
  EMPTY_STREAK,
  evolveDelivery,
  type FailureStreak,
  recordRequest,
  resetStreak,
} from '@hookline/deliveries-domain';
import { inTransaction, writeOutbox } from '@hookline/shared-event-store';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { DeliveryLogStore } from './delivery-log.store';

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

/** What the worker knows of the webhook when it records an outcome. */
export interface WebhookStatusView {
  readonly status: 'active' | 'paused';
  readonly version: number;
}

export interface FinishOptions {
  /** The webhook as the worker sees it; `undefined` when deleted or unknown (no pause is sent). */
  readonly webhook?: WebhookStatusView;
  /** Consecutive failed calls that pause a webhook. */
  readonly autoPauseThreshold?: number;
  readonly commandsTopic?: string;
}

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

export interface IntakeResult {
  /** Log events added (replayed requests add none). */
  readonly recorded: number;
  /** Deliveries put in the work queue. */
  readonly queued: number;
}

/**
 * How many due rows a claim ranks per webhook: a few per row it may take, so a claim of a few
 * freed slots stays a small statement. Rows of webhooks at their limit are not counted (the scan
 * skips them), so a backlog of a full webhook at the head of the queue uses none of it.
 */
export function claimScanRows(limit: number): number {
  return Math.min(2000, Math.max(100, limit * 8));
}

const ATTEMPT_TYPES: ReadonlySet<DeliveryLogEvent['type']> = new Set([
  'AttemptSucceeded',
  'AttemptFailed',
]);

/** The class id of the intake's per-webhook advisory locks (the maintenance lock has another). */
const INTAKE_LOCK_CLASS = 0x686b;

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
         SELECT q.delivery_id FROM delivery_queue q
           JOIN candidates c USING (delivery_id)
           JOIN open_gates o ON o.webhook_id = c.webhook_id
          WHERE q.claimed_until IS NULL OR q.claimed_until < now()
          FOR UPDATE OF q SKIP LOCKED
       ), claimed AS (
         UPDATE delivery_queue q
            SET claim_id = $4, claimed_until = now() + $5 * interval '1 millisecond'
           FROM locked WHERE q.delivery_id = locked.delivery_id
         RETURNING q.delivery_id, q.webhook_id, q.request
       )
       SELECT c.delivery_id, c.webhook_id, COALESCE(c.request, r.request) AS request, d.state,
              ws.status AS webhook_status, ws.version AS webhook_version,
              (fs.streak->>'pauseRequested')::boolean AS pause_requested, fs.paused_at_version
         FROM claimed c
         JOIN delivery_requests r USING (delivery_id)
         JOIN deliveries d USING (delivery_id)
         LEFT JOIN webhook_status ws ON ws.webhook_id = c.webhook_id
         LEFT JOIN webhook_failure_streaks fs ON fs.webhook_id = c.webhook_id`;

/**
 * The delivery worker's durable work: intake of requests, the work queue with leased claims, and
 * recording outcomes, each one transaction with the delivery log (see the migration
 * `CreateDeliveryQueue` for the tables). Times of leases are the database's clock, so workers on
 * several hosts agree on when a lease ran out.
 */
export class DeliveryWorkStore {
  private readonly log: DeliveryLogStore;

  constructor(
    private readonly dataSource: DataSource,
    /** The delivery-log topic of the catalog (`HOOKLINE_DELIVERY_LOG_TOPIC`). */
    options: { readonly deliveryLogTopic?: string } = {},
  ) {
    this.log = new DeliveryLogStore(
      dataSource,
      options.deliveryLogTopic === undefined ? {} : { topic: options.deliveryLogTopic },
    );
  }

  /**
   * Records a batch of requests in one transaction: each request as accepted, the log events it
   * decides (`DeliveryRequested`, and `DeliverySkipped` for a held one; `ManualRetryRequested`
   * for a manual retry of a finished delivery), and a queue row for each delivery left pending.
   * Idempotent on the delivery id: a replayed batch records and queues nothing new.
   */
  async intake(received: readonly DeliveryRequested[], now: Date): Promise<IntakeResult> {
    if (received.length === 0) return { recorded: 0, queued: 0 };
    return inTransaction(this.dataSource, async (manager) => {
      // One intake of a webhook at a time across the fleet: a delivery's row is keyed by its
      // creation time too (its partition), so two racing first intakes of one delivery (the same
      // chunk taken by two workers around a rebalance) would not collide on a key any more.
      await manager.query(
        `SELECT pg_advisory_xact_lock(${INTAKE_LOCK_CLASS}, hashtext(w)) FROM unnest($1::text[]) AS w`,
        [[...new Set(received.map((r) => r.webhookId))].sort()],
      );
      const requests = await this.releaseReactivated(manager, received);
      const known: Array<{ delivery_id: string; state: DeliveryState; created_at: string }> =
        await manager.query(
          `SELECT delivery_id, state,
                  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at
             FROM deliveries WHERE delivery_id = ANY($1) ORDER BY delivery_id FOR UPDATE`,
          [[...new Set(requests.map((r) => r.deliveryId))]],
        );
      const states = new Map(known.map((row) => [row.delivery_id, row.state]));
      const createdAt = new Map(known.map((row) => [row.delivery_id, row.created_at]));
      // The first request of a delivery is kept in its delivery's week: at `now` for a new one.
      await manager.query(
        `INSERT INTO delivery_requests (delivery_id, webhook_id, company, request, recorded_at)
         SELECT r.* FROM unnest($1::text[], $2::text[], $3::text[], $4::json[], $5::timestamptz[])
                AS r(delivery_id, webhook_id, company, request, recorded_at)
          WHERE NOT EXISTS (SELECT 1 FROM delivery_requests k WHERE k.delivery_id = r.delivery_id)
         ON CONFLICT (delivery_id, recorded_at) DO NOTHING`,
        [
          requests.map((r) => r.deliveryId),
          requests.map((r) => r.webhookId),
          requests.map((r) => r.company),
          requests.map((r) => JSON.stringify(r)),
          requests.map((r) => createdAt.get(r.deliveryId) ?? now.toISOString()),
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
      const orderedIds = new Set(
        requests.filter((r) => r.ordered === true).map((r) => r.deliveryId),
      );
      const added = await this.log.append(events, manager);
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
  private async releaseReactivated(
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

  /**
   * Claims due rows whose lease is free or ran out, oldest due first, so that no webhook has more
   * than `perWebhookLimit` rows leased across every worker (leases that ran out do not count),
   * skipping rows another transaction is claiming
   * (`FOR UPDATE SKIP LOCKED`). Each claimed row gets one claim id and a lease of `leaseMs`.
   */
  async claim(options: ClaimOptions): Promise<ClaimedDelivery[]> {
    if (options.limit < 1) return [];
    const claimId = randomUUID();
    // One round trip: the claim, the request and state of each claimed delivery, and what the
    // database says of its webhook (status committed by the config API, the worker's streak).
    const rows: Array<{
      delivery_id: string;
      webhook_id: string;
      request: DeliveryRequested;
      state: DeliveryState;
      webhook_status: 'active' | 'paused' | 'deleted' | null;
      webhook_version: number | null;
      pause_requested: boolean | null;
      paused_at_version: number | null;
    }> = await this.dataSource.query(CLAIM_SQL, [
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
  async renew(
    claims: ReadonlyArray<Pick<ClaimedDelivery, 'deliveryId' | 'claimId'>>,
    leaseMs: number,
  ) {
    if (claims.length === 0) return 0;
    const result: [unknown[], number] = await this.dataSource.query(
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
  async release(
    claims: ReadonlyArray<Pick<ClaimedDelivery, 'deliveryId' | 'claimId'>>,
    dueAt?: Date,
  ): Promise<void> {
    if (claims.length === 0) return;
    await this.dataSource.query(
      `UPDATE delivery_queue q
          SET claim_id = NULL, claimed_until = NULL, due_at = COALESCE($3::timestamptz, q.due_at)
         FROM unnest($1::text[], $2::uuid[]) AS c(delivery_id, claim_id)
        WHERE q.delivery_id = c.delivery_id AND q.claim_id = c.claim_id`,
      [claims.map((c) => c.deliveryId), claims.map((c) => c.claimId), dueAt?.toISOString() ?? null],
    );
  }

  /**
   * Records what happened to a claimed delivery, in one transaction: `decide` gets the delivery
   * as its log stands now (locked) and returns the log events (an attempt's outcome, a skip);
   * the new ones are appended; the queue row moves to the next attempt's time or is deleted when
   * the delivery ended; each new attempt moves the webhook's failure streak, and the call that
   * reaches the threshold writes an `AutoPauseWebhook` command to the outbox.
   */
  async finish(
    claim: Pick<ClaimedDelivery, 'deliveryId' | 'webhookId' | 'claimId'>,
    decide: (state: DeliveryState) => DeliveryLogEvent[],
    options: FinishOptions = {},
  ): Promise<FinishResult> {
    const [result] = await this.finishMany([{ claim, decide, options }]);
    if (!result) throw new Error(`delivery ${claim.deliveryId} was not recorded`);
    return result;
  }

  /**
   * {@link finish} for many claims in one transaction, with set-based statements: what a busy
   * worker records as calls complete. Results are in the order of `items`. One bad item fails
   * the lot; the caller may then record the items one by one.
   */
  async finishMany(items: readonly FinishItem[]): Promise<FinishResult[]> {
    if (items.length === 0) return [];
    return inTransaction(this.dataSource, async (manager) => {
      const locked = await this.lockStates(
        manager,
        items.map((item) => item.claim.deliveryId),
      );
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
      const added = await this.log.append(decided, manager);
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
      const held = new Set<string>();
      if (moves.length > 0) {
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
        rows.forEach((row) => held.add(row.delivery_id));
      }
      if (ends.length > 0) {
        const [rows]: [
          Array<{ delivery_id: string; webhook_id: string; ordered: boolean }>,
          number,
        ] = await manager.query(
          `DELETE FROM delivery_queue q
            USING unnest($1::text[], $2::uuid[]) AS e(delivery_id, claim_id)
            WHERE q.delivery_id = e.delivery_id AND q.claim_id = e.claim_id
           RETURNING q.delivery_id, q.webhook_id, q.ordered`,
          [ends.map((i) => i.claim.deliveryId), ends.map((i) => i.claim.claimId)],
        );
        rows.forEach((row) => held.add(row.delivery_id));
        await this.advanceLanes(
          manager,
          rows.filter((row) => row.ordered).map((row) => row.webhook_id),
        );
      }

      // One streak update per webhook, in a fixed order (two workers never lock crosswise).
      const paused = new Set<string>();
      const webhooks = [...new Set(items.map((i) => i.claim.webhookId))].sort();
      for (const webhookId of webhooks) {
        const ofWebhook = added.filter((e) => e.webhookId === webhookId);
        const options =
          [...items].reverse().find((i) => i.claim.webhookId === webhookId)?.options ?? {};
        if (await this.countAttempts(manager, webhookId, ofWebhook, options)) paused.add(webhookId);
      }

      return items.map((item) => {
        const { deliveryId, webhookId } = item.claim;
        const own = addedBy.get(deliveryId) ?? [];
        const state = after.get(deliveryId);
        if (!state) throw new Error(`delivery ${deliveryId} has no log`);
        return {
          added: own,
          state,
          pauseRequested: paused.has(webhookId) && own.some((e) => ATTEMPT_TYPES.has(e.type)),
          claimHeld: held.has(deliveryId),
        };
      });
    });
  }

  /**
   * The lanes whose head just ended get their next row as head (claimable). One statement: the
   * first waiting row of each lane by `seq`, found through the lane's index.
   */
  private async advanceLanes(manager: EntityManager, webhookIds: readonly string[]) {
    if (webhookIds.length === 0) return;
    await manager.query(
      `UPDATE delivery_queue q SET waiting = false
         FROM (SELECT l.delivery_id
                 FROM unnest($1::text[]) AS w(webhook_id)
                 CROSS JOIN LATERAL (
                   SELECT o.delivery_id FROM delivery_queue o
                    WHERE o.webhook_id = w.webhook_id AND o.ordered
                    ORDER BY o.seq LIMIT 1) l) head
        WHERE q.delivery_id = head.delivery_id AND q.waiting`,
      [[...new Set(webhookIds)].sort()],
    );
  }

  /** Work left in the queue, for readiness and tests. */
  async queueDepth(): Promise<{ due: number; scheduled: number; claimed: number }> {
    const [row]: Array<{ due: string; scheduled: string; claimed: string }> =
      await this.dataSource.query(
        `SELECT count(*) FILTER (WHERE due_at <= now() AND (claimed_until IS NULL OR claimed_until < now())) AS due,
                count(*) FILTER (WHERE due_at > now() AND claim_id IS NULL) AS scheduled,
                count(*) FILTER (WHERE claimed_until >= now()) AS claimed
           FROM delivery_queue`,
      );
    return {
      due: Number(row?.due ?? 0),
      scheduled: Number(row?.scheduled ?? 0),
      claimed: Number(row?.claimed ?? 0),
    };
  }

  private async lockStates(
    manager: EntityManager,
    deliveryIds: readonly string[],
  ): Promise<Map<string, DeliveryState>> {
    const rows: Array<{ delivery_id: string; state: DeliveryState }> = await manager.query(
      `SELECT delivery_id, state FROM deliveries WHERE delivery_id = ANY($1)
        ORDER BY delivery_id FOR UPDATE`,
      [[...new Set(deliveryIds)]],
    );
    return new Map(rows.map((row) => [row.delivery_id, row.state]));
  }

  /**
   * Folds new attempts into the webhook's failure streak. A streak that asked for a pause is
   * reset once the webhook is active again at a later version (re-activated by hand), so the
   * count starts over. Returns whether a pause command was written.
   */
  private async countAttempts(
    manager: EntityManager,
    webhookId: string,
    added: readonly DeliveryLogEvent[],
    options: FinishOptions,
  ): Promise<boolean> {
    // Test calls (Test webhook) are an admin's check, not traffic: they never pause a webhook.
    const attempts = added.filter(
      (e) => ATTEMPT_TYPES.has(e.type) && e.attempt !== null && e.trigger !== 'test',
    );
    const last = attempts.at(-1);
    if (!last) return false;
    if (attempts.every((e) => e.type === 'AttemptSucceeded')) {
      // The common case takes no lock and writes nothing: successes with no run to end change
      // nothing the rule counts. Any other case goes through the domain's rule below, the one
      // place that decides (a success already counted, say, ends no run).
      const [open]: Array<{ open: boolean }> = await manager.query(
        `SELECT (streak->>'consecutiveFailures')::int > 0 OR (streak->>'pauseRequested')::boolean AS open
           FROM webhook_failure_streaks WHERE webhook_id = $1`,
        [webhookId],
      );
      if (!open?.open) return false;
    }
    const [row]: Array<{ streak: FailureStreak; paused_at_version: number | null }> =
      await manager.query(
        `SELECT streak, paused_at_version FROM webhook_failure_streaks WHERE webhook_id = $1 FOR UPDATE`,
        [webhookId],
      );
    const { webhook } = options;
    let streak = row?.streak ?? EMPTY_STREAK;
    let pausedAtVersion = row?.paused_at_version ?? null;
    if (
      streak.pauseRequested &&
      webhook?.status === 'active' &&
      (pausedAtVersion === null || webhook.version > pausedAtVersion)
    ) {
      streak = resetStreak(streak);
      pausedAtVersion = null;
    }
    let pause = false;
    for (const event of attempts) {
      const result = applyAttemptToStreak(
        streak,
        {
          deliveryId: event.deliveryId,
          attemptNumber: event.attempt ?? 0,
          ok: event.type === 'AttemptSucceeded',
        },
        { threshold: options.autoPauseThreshold ?? AUTO_PAUSE_THRESHOLD },
      );
      streak = result.streak;
      pause = pause || result.pause;
    }
    const send = pause && webhook?.status === 'active';
    if (pause) pausedAtVersion = webhook?.version ?? pausedAtVersion;
    await manager.query(
      `INSERT INTO webhook_failure_streaks (webhook_id, streak, paused_at_version) VALUES ($1, $2, $3)
       ON CONFLICT (webhook_id) DO UPDATE SET streak = EXCLUDED.streak,
                                              paused_at_version = EXCLUDED.paused_at_version`,
      [webhookId, JSON.stringify(streak), pausedAtVersion],
    );
    if (!send) return false;
    const command: WebhookCommandRequested = {
      schemaVersion: 1,
      type: 'AutoPauseWebhook',
      webhookId,
      company: last.company,
      reason: `paused after ${streak.consecutiveFailures} consecutive failed calls; last: ${last.error ?? 'failed'}`,
      consecutiveFailures: streak.consecutiveFailures,
      requestedAt: last.recordedAt,
      correlationId: last.correlationId,
      ...(webhook ? { webhookVersion: webhook.version } : {}),
    };
    await writeOutbox(manager, [
      {
        topic: options.commandsTopic ?? KAFKA_TOPICS.webhooksCommands,
        key: webhookId,
        value: JSON.stringify(command),
        headers: {
          [KAFKA_HEADERS.messageType]: 'WebhookCommandRequested',
          [KAFKA_HEADERS.schemaVersion]: '1',
          [KAFKA_HEADERS.correlationId]: command.correlationId,
        },
      },
    ]);
    return true;
  }
}
