import type { DeliveryLogEvent, DeliveryRequested } from '@hookline/contracts';
import type { DeliveryState } from '@hookline/deliveries-domain';
import type { DataSource } from 'typeorm';
import { DeliveryLogStore } from './delivery-log.store';
import {
  claimDue,
  type ClaimedDelivery,
  type ClaimOptions,
  releaseClaims,
  renewClaims,
} from './work/claims';
import {
  finishClaims,
  type FinishItem,
  type FinishOptions,
  type FinishResult,
} from './work/finish';
import { intake, type IntakeResult } from './work/intake';

/**
 * The delivery worker's durable work: intake of requests (`work/intake.ts`), the work queue with
 * leased claims (`work/claims.ts`), and recording outcomes with the failure streak
 * (`work/finish.ts`, `work/failure-streak.ts`), each one transaction with the delivery log (see
 * the migration `CreateDeliveryQueue` for the tables). Times of leases are the database's clock,
 * so workers on several hosts agree on when a lease ran out.
 */
export class DeliveryWorkStore {
  private readonly log: DeliveryLogStore;

  private readonly onAppended: () => void;

  constructor(
    private readonly dataSource: DataSource,
    options: {
      /**
       * Told once a transaction that added log events committed: the process's
       * `DeliveryLogRelay.notify`, so the events reach the delivery-log topic at once.
       */
      readonly onAppended?: () => void;
    } = {},
  ) {
    this.log = new DeliveryLogStore(dataSource);
    this.onAppended = options.onAppended ?? (() => undefined);
  }

  /**
   * Records a batch of requests in one transaction and queues the deliveries left pending.
   * Idempotent on the delivery id: a replayed batch records and queues nothing new.
   */
  async intake(received: readonly DeliveryRequested[], now: Date): Promise<IntakeResult> {
    const result = await intake(this.dataSource, this.log, received, now);
    if (result.recorded > 0) this.onAppended();
    return result;
  }

  /** Claims due rows under the per-webhook limit of the fleet, each with a lease of `leaseMs`. */
  claim(options: ClaimOptions): Promise<ClaimedDelivery[]> {
    return claimDue(this.dataSource, options);
  }

  /** Extends the leases of claims still held; returns how many were. */
  renew(
    claims: ReadonlyArray<Pick<ClaimedDelivery, 'deliveryId' | 'claimId'>>,
    leaseMs: number,
  ): Promise<number> {
    return renewClaims(this.dataSource, claims, leaseMs);
  }

  /** Hands claims back unsent: claimable at once, or at `dueAt`. */
  release(
    claims: ReadonlyArray<Pick<ClaimedDelivery, 'deliveryId' | 'claimId'>>,
    dueAt?: Date,
  ): Promise<void> {
    return releaseClaims(this.dataSource, claims, dueAt);
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
   * {@link finish} for many claims in one transaction: results in the order of `items`. One bad
   * item fails the lot; the caller may then record the items one by one.
   */
  async finishMany(items: readonly FinishItem[]): Promise<FinishResult[]> {
    const results = await finishClaims(this.dataSource, this.log, items);
    if (results.some((result) => result.added.length > 0)) this.onAppended();
    return results;
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
}

export { CLAIM_SQL, type ClaimedDelivery, type ClaimOptions } from './work/claims';
export type { WebhookStatusView } from './work/failure-streak';
export type { FinishItem, FinishOptions, FinishResult } from './work/finish';
export type { IntakeResult } from './work/intake';
