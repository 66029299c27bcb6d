import type { DeliveryRequested } from '@hookline/contracts';
import type { IntakeResult } from '@hookline/deliveries-data-access';

/** Requests one transaction takes in at most; a chunk is never split, so one may go past it. */
export const INTAKE_BATCH_REQUESTS = 2_000;
/** Intake transactions running at once. */
export const INTAKE_TRANSACTIONS = 2;

/** Records requests in one transaction (the store's intake). */
export type TakeIn = (requests: readonly DeliveryRequested[], now: Date) => Promise<IntakeResult>;

interface Waiting {
  readonly requests: readonly DeliveryRequested[];
  readonly resolve: (result: IntakeResult) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Takes in chunks of requests from several partitions in one transaction (group commit): the
 * chunks handed over in one turn of the event loop (a fetch's partitions), and those that came
 * while {@link INTAKE_TRANSACTIONS} transactions ran, go together into the next. The statements
 * of an intake cost about as much for 20 requests as for 500, so a busy worker pays them once
 * per fetch instead of once per partition, and a partition no longer waits for the others'
 * transactions one by one. Each chunk's promise settles with the transaction that holds it,
 * before its offsets are committed. A combined transaction that fails is tried again chunk by
 * chunk, so a chunk the database refuses fails alone and the others are recorded.
 */
export class IntakeBatcher {
  private readonly waiting: Waiting[] = [];
  private running = 0;
  private scheduled = false;

  constructor(private readonly takeIn: TakeIn) {}

  /** Resolves once `requests` are recorded (with the result of the transaction they went in). */
  submit(requests: readonly DeliveryRequested[]): Promise<IntakeResult> {
    return new Promise<IntakeResult>((resolve, reject) => {
      this.waiting.push({ requests, resolve, reject });
      this.schedule();
    });
  }

  /** Starts a transaction on the next turn, once this turn's chunks have joined the queue. */
  private schedule(): void {
    if (this.scheduled || this.running >= INTAKE_TRANSACTIONS || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.startOne();
    });
  }

  private startOne(): void {
    if (this.running >= INTAKE_TRANSACTIONS || this.waiting.length === 0) return;
    const batch = this.take();
    this.running += 1;
    void this.record(batch).finally(() => {
      this.running -= 1;
      this.schedule();
    });
    this.schedule();
  }

  /** The chunks waiting longest, up to INTAKE_BATCH_REQUESTS requests (at least one chunk). */
  private take(): Waiting[] {
    const batch: Waiting[] = [];
    let requests = 0;
    for (const next of this.waiting) {
      if (batch.length > 0 && requests + next.requests.length > INTAKE_BATCH_REQUESTS) break;
      batch.push(next);
      requests += next.requests.length;
    }
    this.waiting.splice(0, batch.length);
    return batch;
  }

  private async record(batch: readonly Waiting[]): Promise<void> {
    try {
      const result = await this.takeIn(
        batch.flatMap((w) => w.requests),
        new Date(),
      );
      for (const w of batch) w.resolve(result);
    } catch (error) {
      const [alone] = batch;
      if (batch.length === 1 && alone) {
        alone.reject(error);
        return;
      }
      await Promise.all(
        batch.map((w) => this.takeIn(w.requests, new Date()).then(w.resolve, w.reject)),
      );
    }
  }
}
