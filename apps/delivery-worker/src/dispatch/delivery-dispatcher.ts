import type { DeliveryLogEvent } from '@hookline/contracts';
import type {
  ClaimedDelivery,
  DeliveryWorkStore,
  FinishItem,
  FinishOptions,
  FinishResult,
} from '@hookline/deliveries-data-access';
import {
  type DeliveryState,
  HELD_WHILE_PAUSED,
  recordAttempt,
  recordSkip,
  type RetryPolicy,
} from '@hookline/deliveries-domain';
import type { HttpSender } from '@hookline/deliveries-sender';
import type { KeyRing } from '@hookline/shared-crypto';
import type { Counter, Histogram } from 'prom-client';
import type { DeliveryTarget, WebhookDirectory } from '../webhooks/webhook-directory';
import { makeAttempt } from './make-attempt';

/** The app's metrics the dispatcher moves (created on its registry by the service). */
export interface DispatcherMetrics {
  /** Deliveries that ended, by outcome: succeeded, failed, skipped. */
  readonly deliveries: Pick<Counter<'outcome'>, 'inc'>;
  /** Calls made, by outcome (succeeded, failed) and failure class (`none` on success). */
  readonly attempts: Pick<Counter<'outcome' | 'failure_class'>, 'inc'>;
  readonly attemptDuration: Pick<Histogram<'outcome'>, 'observe'>;
  readonly retriesScheduled: Pick<Counter, 'inc'>;
  readonly autoPauseCommands: Pick<Counter, 'inc'>;
}

export interface DispatcherOptions {
  readonly store: DeliveryWorkStore;
  readonly directory: WebhookDirectory;
  readonly sender: HttpSender;
  readonly keyRing: KeyRing;
  readonly vendor: string;
  readonly retryPolicy: RetryPolicy;
  readonly autoPauseThreshold: number;
  readonly commandsTopic: string;
  /** Calls in flight at once, all webhooks together. */
  readonly concurrency: number;
  /** Calls in flight at once to one webhook. */
  readonly endpointConcurrency: number;
  readonly leaseMs: number;
  /** How often to look for due work when nothing woke the dispatcher. */
  readonly pollMs: number;
  readonly metrics: DispatcherMetrics;
  readonly logger: {
    log(fields: object): void;
    warn(fields: object): void;
    error(fields: object): void;
  };
}

/** How long a request waits for the config of its webhook to reach this worker. */
const CONFIG_WAIT_MS = 60_000;
const CONFIG_RECHECK_MS = 1_000;
/** Claims per query. */
const CLAIM_BATCH = 100;
/** Backoff between tries to record an outcome, from the first up to the last, repeated. */
const RECORD_RETRY_MS = [200, 500, 1000, 2000];
/** Outcomes recorded per transaction at most, and how long the first waits for company. */
const RECORD_BATCH = 100;
const RECORD_LINGER_MS = 5;
/** A test delivery is one call: its caller waits for the outcome. */
const TEST_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 1,
  delaysSeconds: [],
  retryAfterCapSeconds: 0,
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface PendingRecord {
  readonly item: FinishItem;
  readonly resolve: (result: FinishResult) => void;
  readonly reject: (error: unknown) => void;
}

interface InFlight {
  readonly claim: ClaimedDelivery;
  readonly done: Promise<void>;
  /** When the lease runs out unless renewed (this process's clock; renewals move it). */
  leaseUntil: number;
}

/**
 * Claims due deliveries from the work queue and makes their calls, at most `concurrency` at
 * once and at most `endpointConcurrency` per webhook across every worker (the claim counts all
 * workers' leases, ADR 0012): a webhook at its limit here is left out of the next claims, so a
 * hanging endpoint ties up its own slots and no one else's. Every claim is a
 * lease renewed while its call runs; the outcome, the next retry's time and the auto-pause
 * count are recorded in one transaction by the store. Nothing is kept only in memory: a crash
 * at any point leaves rows whose leases run out and are claimed again.
 */
export class DeliveryDispatcher {
  private readonly inFlight = new Map<string, InFlight>();
  private readonly perWebhook = new Map<string, number>();
  private running = false;
  private loop: Promise<void> | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private wakeUp: (() => void) | undefined;
  private readonly toRecord: PendingRecord[] = [];
  private recording = false;
  private recordTimer: NodeJS.Timeout | undefined;
  private counters = { attempts: 0, succeeded: 0, failed: 0, skipped: 0, lostClaims: 0 };
  /**
   * Webhooks this worker asked to pause since its last claim of their work: a call claimed
   * before the threshold failure was recorded must not start after it. The next claim that
   * brings the webhook's work back says what the database holds, and replaces this.
   */
  private readonly pausing = new Map<string, number>();
  /** Counts claims started, so a claim that began before a pause was asked cannot lift it. */
  private claimsStarted = 0;

  constructor(private readonly options: DispatcherOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
    this.renewTimer = setInterval(() => void this.renew(), Math.floor(this.options.leaseMs / 3));
  }

  /** New work may be due (an intake committed, a call finished). */
  wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
  }

  get isRunning(): boolean {
    return this.running;
  }

  stats() {
    return { ...this.counters, inFlight: this.inFlight.size };
  }

  /**
   * Stops claiming, waits up to `drainMs` for calls in flight to be recorded, and hands back
   * (releases) the claims of those still running, so another worker takes them at once.
   */
  async stop(drainMs: number): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    const pending = [...this.inFlight.values()];
    let deadline: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      Promise.allSettled(pending.map((p) => p.done)).then(() => true),
      new Promise<boolean>((resolve) => {
        deadline = setTimeout(() => resolve(false), drainMs);
      }),
    ]);
    clearTimeout(deadline);
    clearInterval(this.renewTimer);
    if (!drained) {
      const left = [...this.inFlight.values()].map((p) => p.claim);
      this.options.logger.warn({ msg: 'handing back calls still in flight', count: left.length });
      await this.options.store
        .release(left)
        .catch((error: unknown) =>
          this.options.logger.error({ msg: 'hand-back failed', error: String(error) }),
        );
    }
  }

  private async run(): Promise<void> {
    const { options } = this;
    while (this.running) {
      let claimed = 0;
      try {
        const free = options.concurrency - this.inFlight.size;
        if (free > 0) {
          const skipWebhooks = [...this.perWebhook]
            .filter(([, count]) => count >= options.endpointConcurrency)
            .map(([id]) => id);
          const started = ++this.claimsStarted;
          const claims = await options.store.claim({
            limit: Math.min(free, CLAIM_BATCH),
            perWebhookLimit: options.endpointConcurrency,
            skipWebhooks,
            leaseMs: options.leaseMs,
          });
          claimed = claims.length;
          for (const claim of claims) {
            const askedAt = this.pausing.get(claim.webhookId);
            if (claim.hold === 'send' && askedAt !== undefined && askedAt < started)
              this.pausing.delete(claim.webhookId);
          }
          const over: ClaimedDelivery[] = [];
          for (const claim of claims) {
            if ((this.perWebhook.get(claim.webhookId) ?? 0) >= options.endpointConcurrency) {
              over.push(claim);
            } else {
              this.launch(claim);
            }
          }
          await options.store.release(over);
        }
      } catch (error) {
        options.logger.error({ msg: 'claiming due deliveries failed', error: String(error) });
        await sleep(1000);
      }
      if (this.running && (claimed === 0 || this.inFlight.size >= options.concurrency)) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, options.pollMs);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }

  private launch(claim: ClaimedDelivery): void {
    this.perWebhook.set(claim.webhookId, (this.perWebhook.get(claim.webhookId) ?? 0) + 1);
    const done = this.process(claim)
      .catch((error: unknown) => {
        // The lease runs out and the delivery is claimed again: nothing is lost.
        this.options.logger.error({
          msg: 'delivery left to its lease after an error',
          deliveryId: claim.deliveryId,
          error: String(error),
        });
      })
      .finally(() => {
        this.inFlight.delete(claim.deliveryId);
        const count = (this.perWebhook.get(claim.webhookId) ?? 1) - 1;
        if (count <= 0) this.perWebhook.delete(claim.webhookId);
        else this.perWebhook.set(claim.webhookId, count);
        this.wake();
      });
    this.inFlight.set(claim.deliveryId, {
      claim,
      done,
      leaseUntil: Date.now() + this.options.leaseMs,
    });
  }

  private async process(claim: ClaimedDelivery): Promise<void> {
    const { options } = this;
    if (claim.state.status !== 'pending' && claim.state.status !== 'retry_scheduled') {
      // Finished by a worker whose lease had run out: nothing to send, the row goes.
      await this.record(claim, () => []);
      return;
    }
    const isTest = claim.request.trigger === 'test';
    // The database's word at the claim comes first: the topic may not have brought the pause
    // (or the deletion) to this worker yet.
    if (claim.hold === 'deleted') {
      await this.record(claim, (state) => recordSkip(state, 'webhook deleted', new Date()));
      return;
    }
    if (claim.hold === 'paused' && !isTest) {
      await this.record(claim, (state) => recordSkip(state, HELD_WHILE_PAUSED, new Date()));
      return;
    }
    const lookup = options.directory.lookup(claim.webhookId);
    if (lookup.kind === 'deleted') {
      await this.record(claim, (state) => recordSkip(state, 'webhook deleted', new Date()));
      return;
    }
    const record = lookup.kind === 'known' ? lookup.record : undefined;
    // The version to send with: the one the request was matched against, or the later one the
    // database holds (a re-activation, a new URL) that webhooks.config has not brought yet.
    const needed = Math.max(claim.request.webhookVersion, claim.webhookVersion ?? 0);
    if (!record || record.version < needed) {
      // The config topic has not brought this worker that version of the webhook yet: wait for
      // it a while, then give up on the delivery with the reason (or send with what it has).
      const waited = Date.now() - Date.parse(claim.request.requestedAt);
      if (waited < CONFIG_WAIT_MS) {
        await options.store.release([claim], new Date(Date.now() + CONFIG_RECHECK_MS));
        return;
      }
      if (!record) {
        await this.record(claim, (state) =>
          recordSkip(state, 'webhook not found: its configuration never arrived', new Date()),
        );
        return;
      }
    }
    // A test delivery (Test webhook) is how an admin checks a fix before re-activating: it is
    // sent whatever the webhook's status, once, without retries.
    if ((record.status === 'paused' || this.pausing.has(claim.webhookId)) && !isTest) {
      await this.record(claim, (state) => recordSkip(state, HELD_WHILE_PAUSED, new Date()), record);
      return;
    }

    const now = new Date();
    const { outcome, details } = await makeAttempt({
      record,
      envelope: claim.request.envelope,
      deliveryId: claim.deliveryId,
      vendor: options.vendor,
      keyRing: options.keyRing,
      sender: options.sender,
      now,
    });
    this.counters.attempts += 1;
    if (outcome.ok) this.counters.succeeded += 1;
    else this.counters.failed += 1;
    const attemptOutcome = outcome.ok ? 'succeeded' : 'failed';
    options.metrics.attempts.inc({
      outcome: attemptOutcome,
      failure_class: outcome.ok ? 'none' : outcome.failure,
    });
    options.metrics.attemptDuration.observe({ outcome: attemptOutcome }, outcome.durationMs / 1000);
    // One line per call, carrying the event's correlation id from the ingest topic.
    options.logger.log({
      msg: 'delivery attempt',
      correlationId: claim.request.correlationId,
      eventId: claim.request.eventId,
      deliveryId: claim.deliveryId,
      webhookId: claim.webhookId,
      attempt: claim.state.attempts + 1,
      trigger: claim.state.attempts === claim.state.roundStart ? claim.state.trigger : 'retry',
      outcome: attemptOutcome,
      statusCode: outcome.statusCode ?? null,
      durationMs: outcome.durationMs,
      ...(outcome.ok ? {} : { failureClass: outcome.failure }),
    });
    // Against the state the call was made from: if the log moved on meanwhile (this outcome was
    // recorded by a retried transaction that did commit, or by another worker), it adds nothing.
    await this.record(
      claim,
      (state) =>
        state.attempts === claim.state.attempts
          ? recordAttempt(
              state,
              outcome,
              isTest ? TEST_RETRY_POLICY : options.retryPolicy,
              new Date(),
              details,
            )
          : [],
      record,
    );
  }

  /**
   * Records an outcome. Outcomes that complete together share one transaction (at most
   * RECORD_BATCH, the first waiting RECORD_LINGER_MS for company): a busy worker makes a few
   * transactions per batch of calls instead of one per call.
   */
  private async record(
    claim: ClaimedDelivery,
    decide: (state: DeliveryState) => DeliveryLogEvent[],
    record?: DeliveryTarget,
  ): Promise<void> {
    const options: FinishOptions = {
      autoPauseThreshold: this.options.autoPauseThreshold,
      commandsTopic: this.options.commandsTopic,
      ...(record ? { webhook: { status: record.status, version: record.version } } : {}),
    };
    const result = await new Promise<FinishResult>((resolve, reject) => {
      this.toRecord.push({ item: { claim, decide, options }, resolve, reject });
      if (this.toRecord.length >= RECORD_BATCH) void this.flushRecords();
      else this.recordTimer ??= setTimeout(() => void this.flushRecords(), RECORD_LINGER_MS);
    });
    if (!result.claimHeld) this.counters.lostClaims += 1;
    if (result.added.some((e) => e.type === 'DeliverySkipped')) this.counters.skipped += 1;
    const { metrics } = this.options;
    for (const event of result.added) {
      if (event.type === 'AttemptSucceeded') metrics.deliveries.inc({ outcome: 'succeeded' });
      else if (event.type === 'DeliveryFailed') metrics.deliveries.inc({ outcome: 'failed' });
      else if (event.type === 'DeliverySkipped') metrics.deliveries.inc({ outcome: 'skipped' });
      else if (event.type === 'RetryScheduled') metrics.retriesScheduled.inc();
    }
    if (result.pauseRequested) {
      this.pausing.set(claim.webhookId, this.claimsStarted);
      metrics.autoPauseCommands.inc();
      this.options.logger.warn({
        msg: 'webhook auto-pause requested',
        webhookId: claim.webhookId,
        deliveryId: claim.deliveryId,
      });
    }
  }

  /** Records what is waiting, a batch at a time, until nothing is; one flush runs at a time. */
  private async flushRecords(): Promise<void> {
    clearTimeout(this.recordTimer);
    this.recordTimer = undefined;
    if (this.recording) return;
    this.recording = true;
    try {
      while (this.toRecord.length > 0) {
        const batch = this.toRecord.splice(0, RECORD_BATCH);
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
      this.recording = false;
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
        const leaseUntil = this.inFlight.get(item.claim.deliveryId)?.leaseUntil ?? 0;
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

  private async renew(): Promise<void> {
    const entries = [...this.inFlight.values()];
    const claims = entries.map((p) => p.claim);
    if (claims.length === 0) return;
    try {
      const askedAt = Date.now();
      const held = await this.options.store.renew(claims, this.options.leaseMs);
      // Counted from before the statement: the database's lease ends no earlier than this.
      for (const entry of entries) entry.leaseUntil = askedAt + this.options.leaseMs;
      if (held < claims.length) {
        this.options.logger.warn({ msg: 'leases lost', lost: claims.length - held });
      }
    } catch (error) {
      this.options.logger.error({ msg: 'lease renewal failed', error: String(error) });
    }
  }
}
