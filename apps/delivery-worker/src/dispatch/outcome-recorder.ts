import type { DeliveryWorkStore, FinishItem, FinishResult } from '@hookline/deliveries-data-access';

/** Backoff between tries to record an outcome, from the first up to the last, repeated. */
const RECORD_RETRY_MS = [200, 500, 1000, 2000];
/** Outcomes recorded per transaction at most, and how long the first waits for company. */
const RECORD_BATCH = 100;
const RECORD_LINGER_MS = 5;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface OutcomeRecorderOptions {
  readonly store: Pick<DeliveryWorkStore, 'finish' | 'finishMany'>;
  /** When the lease of a claim runs out (this process's clock): retries stop there. */
  readonly leaseUntil: (deliveryId: string) => number;
  readonly logger: { warn(fields: object): void };
}

interface PendingRecord {
  readonly item: FinishItem;
  readonly resolve: (result: FinishResult) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Records outcomes. Outcomes that complete together share one transaction (at most
 * RECORD_BATCH, the first waiting RECORD_LINGER_MS for company): a busy worker makes a few
 * transactions per batch of calls instead of one per call. A batch that fails is recorded one
 * by one, each retried while its lease lasts.
 */
export class OutcomeRecorder {
  private readonly waiting: PendingRecord[] = [];
  private flushing = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: OutcomeRecorderOptions) {}

  record(item: FinishItem): Promise<FinishResult> {
    return new Promise<FinishResult>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.waiting.length >= RECORD_BATCH) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), RECORD_LINGER_MS);
    });
  }

  /** Records what is waiting, a batch at a time, until nothing is; one flush runs at a time. */
  private async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, RECORD_BATCH);
        try {
          const results = await this.options.store.finishMany(batch.map((p) => p.item));
          batch.forEach((p, i) => {
            const result = results[i];
            if (result) p.resolve(result);
            else p.reject(new Error('no result for a recorded outcome'));
          });
        } catch (error) {
          this.options.logger.warn({
            msg: 'recording a batch of outcomes failed; recording them one by one',
            count: batch.length,
            error: String(error),
          });
          // One at a time, so one bad item cannot hold back the others.
          await Promise.all(batch.map((p) => this.recordAlone(p.item).then(p.resolve, p.reject)));
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /**
   * Records one outcome, retrying a failed transaction for as long as the claim's lease lasts: a
   * call made while the database is away is recorded once it is back, not left to its lease and
   * made again. Past the lease another worker may take the delivery, and the error is thrown.
   */
  private async recordAlone(item: FinishItem): Promise<FinishResult> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.options.store.finish(item.claim, item.decide, item.options);
      } catch (error) {
        const wait = RECORD_RETRY_MS[Math.min(attempt, RECORD_RETRY_MS.length - 1)] ?? 1000;
        const leaseUntil = this.options.leaseUntil(item.claim.deliveryId);
        if (Date.now() + wait >= leaseUntil) throw error;
        this.options.logger.warn({
          msg: 'recording an outcome failed; retrying while the lease lasts',
          deliveryId: item.claim.deliveryId,
          attempt: attempt + 1,
          leaseLeftMs: leaseUntil - Date.now(),
          error: String(error),
        });
        await sleep(wait);
      }
    }
  }
}
