/** What a claim asked for and what it got, as the pacing needs it. */
export interface ClaimTaken {
  /** Rows asked for (at most the free slots). */
  readonly asked: number;
  /** Webhooks of the rows claimed, one entry per row (the rows handed back included). */
  readonly webhookIds: readonly string[];
}

/**
 * When the claim loop claims again, and which of its own calls and outcomes can make work
 * claimable that the last claim could not take. The claim costs the database about 2 ms (half of
 * it planning) however few rows it finds; claiming again after every claim that found some rows,
 * and whenever a call returned or an outcome was recorded, made four claims for each intake at
 * 500 deliveries/s, most of them finding nothing.
 *
 * A claim that found less than it asked for took every due row it could, except the rows of a
 * webhook it took to its limit (ranked first, they may have kept other webhooks' rows out of its
 * scan): only then does the loop claim again at once. What it left due is held back by one of
 * three bounds, and only their release is a reason to claim again:
 * - the worker's slots (the claim took all it asked, or there was no slot to ask with): any
 *   call returning or outcome recorded frees one;
 * - a webhook's limit across the fleet, which counts this worker's leases until their outcomes
 *   are recorded: the outcome of a webhook held at its limit frees room;
 * - an ordered lane: the row behind a head that ended becomes claimable.
 *
 * Intake and the poll wake the loop as before; leases of other workers are left to the poll.
 */
export class ClaimPacing {
  /** Claims this worker holds, by webhook: calls running and outcomes being recorded. */
  private readonly held = new Map<string, number>();
  /** The last claim stopped at the worker's slots, not at the due work. */
  private slotBound = false;

  constructor(private readonly perWebhookLimit: number) {}

  /** There were no free slots to claim with. */
  noSlots(): void {
    this.slotBound = true;
  }

  /**
   * A claim returned; its rows are now held. True when the loop should claim again at once: it
   * took all it asked for, or it took some webhook to its limit (that webhook's rows, ranked
   * first, may have kept other webhooks' rows out of the claim's scan).
   */
  claimed({ asked, webhookIds }: ClaimTaken): boolean {
    this.slotBound = webhookIds.length >= asked;
    let reachedLimit = false;
    for (const webhookId of webhookIds) {
      const count = (this.held.get(webhookId) ?? 0) + 1;
      this.held.set(webhookId, count);
      if (count >= this.perWebhookLimit) reachedLimit = true;
    }
    return this.slotBound || reachedLimit;
  }

  /** A call returned (its outcome still to record): true when that may let a claim take more. */
  callReturned(): boolean {
    return this.slotBound;
  }

  /**
   * A claim is no longer held (its outcome recorded, its row handed back, or left to its lease):
   * true when that may let a claim take more.
   */
  released(webhookId: string, ordered: boolean): boolean {
    const count = this.held.get(webhookId) ?? 0;
    if (count <= 1) this.held.delete(webhookId);
    else this.held.set(webhookId, count - 1);
    return this.slotBound || ordered || count >= this.perWebhookLimit;
  }

  /** Claims held for `webhookId` (for tests and stats). */
  heldFor(webhookId: string): number {
    return this.held.get(webhookId) ?? 0;
  }
}
