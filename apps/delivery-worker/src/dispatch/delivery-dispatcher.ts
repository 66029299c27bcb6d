import type { DeliveryLogEvent } from '@hookline/contracts';
import type {
  ClaimedDelivery,
  DeliveryWorkStore,
  FinishOptions,
} from '@hookline/deliveries-data-access';
import {
  type DeliveryState,
  recordAttempt,
  recordSkip,
  type RetryPolicy,
} from '@hookline/deliveries-domain';
import type { HttpSender } from '@hookline/deliveries-sender';
import type { KeyRing } from '@hookline/shared-crypto';
import type { Counter, Histogram } from 'prom-client';
import type { DeliveryTarget, WebhookDirectory } from '../webhooks/webhook-directory';
import { ClaimPacing } from './claim-pacing';
import { LeaseKeeper } from './lease-keeper';
import { makeAttempt } from './make-attempt';
import { OutcomeRecorder } from './outcome-recorder';
import { planClaim } from './plan-claim';
import { WorkSignal } from './work-signal';

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

/** Claims per query. */
const CLAIM_BATCH = 100;
/**
 * Claims held at once, as a multiple of `concurrency`: calls in flight plus outcomes made and
 * waiting for their transaction. A call's slot is free as soon as it returns, so the calls go on
 * while the outcomes before them are written; this bounds how far they may run ahead of a slow
 * database.
 */
const HELD_PER_SLOT = 2;
/**
 * While calls run, a claim waits up to this long for a quarter of the slots to come free: the
 * claim statement costs about as much for five rows as for fifty, so claiming each slot as it
 * frees up spends the database's time on claims. With no call running it claims at once.
 */
const CLAIM_LINGER_MS = 10;
/** A test delivery is one call: its caller waits for the outcome. */
const TEST_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 1,
  delaysSeconds: [],
  retryAfterCapSeconds: 0,
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Held {
  readonly claim: ClaimedDelivery;
  /** Settles once the claim's outcome is recorded (or left to its lease). */
  readonly done: Promise<void>;
}

/**
 * Claims due deliveries from the work queue and makes their calls, at most `concurrency` at
 * once and at most `endpointConcurrency` per webhook across every worker (the claim counts all
 * workers' leases, ADR 0012): a webhook at its limit here is left out of the next claims, so a
 * hanging endpoint ties up its own slots and no one else's. A slot is free when its call returns;
 * the claim's lease is held until its outcome is recorded, so the fleet-wide count errs on the
 * side of fewer calls. Each claim goes through the stages:
 * {@link planClaim} decides (drop, wait, skip or send), {@link makeAttempt} calls, the
 * {@link OutcomeRecorder} records the outcome, the next retry's time and the auto-pause count in
 * one transaction, while the {@link LeaseKeeper} renews the claim's lease. Nothing is kept only
 * in memory: a crash at any point leaves rows whose leases run out and are claimed again.
 */
export class DeliveryDispatcher {
  /** Every claim held: its call running, or its outcome waiting to be recorded. */
  private readonly held = new Map<string, Held>();
  /** Claims whose call (or plan) is still running: these use the `concurrency` slots. */
  private calling = 0;
  /** Calls running to each webhook. */
  private readonly perWebhook = new Map<string, number>();
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly work: WorkSignal;
  private readonly leases: LeaseKeeper;
  private readonly recorder: OutcomeRecorder;
  private readonly pacing: ClaimPacing;
  private counters = { attempts: 0, succeeded: 0, failed: 0, skipped: 0, lostClaims: 0 };
  /**
   * Webhooks this worker asked to pause since its last claim of their work: a call claimed
   * before the threshold failure was recorded must not start after it. The next claim that
   * brings the webhook's work back says what the database holds, and replaces this.
   */
  private readonly pausing = new Map<string, number>();
  /** Counts claims started, so a claim that began before a pause was asked cannot lift it. */
  private claimsStarted = 0;

  constructor(private readonly options: DispatcherOptions) {
    this.work = new WorkSignal(options.pollMs);
    this.pacing = new ClaimPacing(options.endpointConcurrency);
    this.leases = new LeaseKeeper(options);
    this.recorder = new OutcomeRecorder({
      store: options.store,
      leaseUntil: (deliveryId) => this.leases.leaseUntil(deliveryId),
      logger: options.logger,
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
    this.leases.start();
  }

  /** New work may be due (an intake committed, a call finished). */
  wake(): void {
    this.work.wake();
  }

  get isRunning(): boolean {
    return this.running;
  }

  stats() {
    return { ...this.counters, inFlight: this.calling, recording: this.held.size - this.calling };
  }

  /**
   * Stops claiming, waits up to `drainMs` for calls in flight to be recorded, and hands back
   * (releases) the claims of those still running, so another worker takes them at once.
   */
  async stop(drainMs: number): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    const pending = [...this.held.values()];
    let deadline: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      Promise.allSettled(pending.map((p) => p.done)).then(() => true),
      new Promise<boolean>((resolve) => {
        deadline = setTimeout(() => resolve(false), drainMs);
      }),
    ]);
    clearTimeout(deadline);
    this.leases.stop();
    if (!drained) await this.leases.handBack();
  }

  private async run(): Promise<void> {
    const { options } = this;
    while (this.running) {
      let again = false;
      try {
        again = await this.claimSome();
      } catch (error) {
        options.logger.error({ msg: 'claiming due deliveries failed', error: String(error) });
        await sleep(1000);
      }
      if (this.running && (!again || this.freeSlots() === 0)) {
        await this.work.wait();
      }
      await this.gatherSlots();
    }
  }

  /** Waits (a little) for more free slots while calls run, so one claim takes more rows. */
  private async gatherSlots(): Promise<void> {
    const quorum = Math.max(1, Math.floor(this.options.concurrency / 4));
    const until = Date.now() + CLAIM_LINGER_MS;
    while (this.running && this.calling > 0 && this.freeSlots() < quorum) {
      const left = until - Date.now();
      if (left <= 0) return;
      await this.work.wait(left);
    }
  }

  /** How many more claims may start: free call slots, within the bound on claims held. */
  private freeSlots(): number {
    const { concurrency } = this.options;
    return Math.max(
      0,
      Math.min(concurrency - this.calling, HELD_PER_SLOT * concurrency - this.held.size),
    );
  }

  /**
   * Claims as much due work as there are free slots, and launches it; returns whether to claim
   * again at once ({@link ClaimPacing}).
   */
  private async claimSome(): Promise<boolean> {
    const { options } = this;
    const free = this.freeSlots();
    if (free <= 0) {
      this.pacing.noSlots();
      return false;
    }
    const asked = Math.min(free, CLAIM_BATCH);
    const skipWebhooks = [...this.perWebhook]
      .filter(([, count]) => count >= options.endpointConcurrency)
      .map(([id]) => id);
    const started = ++this.claimsStarted;
    const claims = await options.store.claim({
      limit: asked,
      perWebhookLimit: options.endpointConcurrency,
      skipWebhooks,
      leaseMs: options.leaseMs,
    });
    for (const claim of claims) {
      const askedAt = this.pausing.get(claim.webhookId);
      if (claim.hold === 'send' && askedAt !== undefined && askedAt < started)
        this.pausing.delete(claim.webhookId);
    }
    const again = this.pacing.claimed({ asked, webhookIds: claims.map((c) => c.webhookId) });
    const over: ClaimedDelivery[] = [];
    for (const claim of claims) {
      if ((this.perWebhook.get(claim.webhookId) ?? 0) >= options.endpointConcurrency) {
        over.push(claim);
      } else {
        this.launch(claim);
      }
    }
    await options.store.release(over);
    for (const claim of over) this.pacing.released(claim.webhookId, false);
    return again || over.length > 0;
  }

  private launch(claim: ClaimedDelivery): void {
    this.perWebhook.set(claim.webhookId, (this.perWebhook.get(claim.webhookId) ?? 0) + 1);
    this.calling += 1;
    this.leases.hold(claim);
    let slotHeld = true;
    const freeSlot = () => {
      if (!slotHeld) return;
      slotHeld = false;
      this.calling -= 1;
      const count = (this.perWebhook.get(claim.webhookId) ?? 1) - 1;
      if (count <= 0) this.perWebhook.delete(claim.webhookId);
      else this.perWebhook.set(claim.webhookId, count);
      if (this.pacing.callReturned()) this.wake();
    };
    const done = this.process(claim, freeSlot)
      .catch((error: unknown) => {
        // The lease runs out and the delivery is claimed again: nothing is lost.
        this.options.logger.error({
          msg: 'delivery left to its lease after an error',
          deliveryId: claim.deliveryId,
          error: String(error),
        });
      })
      .finally(() => {
        this.held.delete(claim.deliveryId);
        this.leases.drop(claim.deliveryId);
        freeSlot();
        if (this.pacing.released(claim.webhookId, claim.request.ordered === true)) this.wake();
      });
    this.held.set(claim.deliveryId, { claim, done });
  }

  /**
   * Carries out the claim's plan; `callDone` is told when the call has returned and only the
   * outcome is left to record (the plans without a call keep their slot to the end: they are
   * short).
   */
  private async process(claim: ClaimedDelivery, callDone: () => void): Promise<void> {
    const plan = planClaim({
      claim,
      lookup: this.options.directory.lookup(claim.webhookId),
      pausing: this.pausing.has(claim.webhookId),
      now: new Date(),
    });
    switch (plan.kind) {
      case 'drop':
        // Finished by a worker whose lease had run out: nothing to send, the row goes.
        return this.record(claim, () => []);
      case 'wait':
        return this.options.store.release([claim], plan.until);
      case 'skip':
        return this.record(
          claim,
          (state) => recordSkip(state, plan.reason, new Date()),
          plan.webhook,
        );
      case 'send':
        return this.send(claim, plan.webhook, plan.test, callDone);
    }
  }

  /** Makes the claim's call, frees its slot, and records its outcome. */
  private async send(
    claim: ClaimedDelivery,
    record: DeliveryTarget,
    isTest: boolean,
    callDone: () => void,
  ) {
    const { options } = this;
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
    callDone();
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

  /** Records an outcome through the recorder, and counts what it added. */
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
    const result = await this.recorder.record({ claim, decide, options });
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
}
