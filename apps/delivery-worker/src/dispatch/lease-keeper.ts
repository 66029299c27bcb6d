import type { ClaimedDelivery, DeliveryWorkStore } from '@hookline/deliveries-data-access';

type Lease = Pick<ClaimedDelivery, 'deliveryId' | 'claimId'>;

export interface LeaseKeeperOptions {
  readonly store: Pick<DeliveryWorkStore, 'renew' | 'release'>;
  readonly leaseMs: number;
  readonly logger: {
    warn(fields: object): void;
    error(fields: object): void;
  };
}

/**
 * Keeps the leases of the claims in flight: renews them every third of a lease while their
 * calls run, knows until when each holds (this process's clock; renewals move it), and hands
 * back those still held when the worker stops, so another worker takes them at once.
 */
export class LeaseKeeper {
  /** When each lease runs out unless renewed, by delivery id. */
  private readonly leases = new Map<string, { readonly claim: Lease; until: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: LeaseKeeperOptions) {}

  start(): void {
    this.timer ??= setInterval(() => void this.renew(), Math.floor(this.options.leaseMs / 3));
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A claim just taken: its lease lasts `leaseMs` from now. */
  hold(claim: Lease): void {
    this.leases.set(claim.deliveryId, { claim, until: Date.now() + this.options.leaseMs });
  }

  /** The claim's call was recorded (or left to its lease): nothing more to renew. */
  drop(deliveryId: string): void {
    this.leases.delete(deliveryId);
  }

  /** When the claim's lease runs out (0 for a claim not held). */
  leaseUntil(deliveryId: string): number {
    return this.leases.get(deliveryId)?.until ?? 0;
  }

  get size(): number {
    return this.leases.size;
  }

  /** Releases every claim still held, unsent. */
  async handBack(): Promise<void> {
    const left = [...this.leases.values()].map((lease) => lease.claim);
    this.options.logger.warn({ msg: 'handing back calls still in flight', count: left.length });
    await this.options.store
      .release(left)
      .catch((error: unknown) =>
        this.options.logger.error({ msg: 'hand-back failed', error: String(error) }),
      );
  }

  /** Extends every lease held; exposed for tests. */
  async renew(): Promise<void> {
    const entries = [...this.leases.values()];
    const claims = entries.map((lease) => lease.claim);
    if (claims.length === 0) return;
    try {
      const askedAt = Date.now();
      const held = await this.options.store.renew(claims, this.options.leaseMs);
      // Counted from before the statement: the database's lease ends no earlier than this.
      for (const entry of entries) entry.until = askedAt + this.options.leaseMs;
      if (held < claims.length) {
        this.options.logger.warn({ msg: 'leases lost', lost: claims.length - held });
      }
    } catch (error) {
      this.options.logger.error({ msg: 'lease renewal failed', error: String(error) });
    }
  }
}
