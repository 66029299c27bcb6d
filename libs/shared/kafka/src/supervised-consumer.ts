import type { Consumer, ConsumerCrashEvent } from 'kafkajs';
import type { BatchConsumerLogger } from './batch-consumer';

export interface SupervisedConsumerOptions {
  /** Names the consumer in log lines and in {@link ConsumerStatus}. */
  readonly name: string;
  /** A new kafkajs consumer: one per (re)start, since a crashed one is disconnected for good. */
  readonly create: () => Consumer;
  /** Connects, subscribes and runs `consumer`; resolves once it joined and fetches. */
  readonly run: (consumer: Consumer) => Promise<void>;
  readonly logger: BatchConsumerLogger;
  /** Backoff between restarts: doubles from `restartInitialMs` (500) up to `restartMaxMs` (30 s). */
  readonly restartInitialMs?: number;
  readonly restartMaxMs?: number;
}

export interface ConsumerStatus {
  readonly name: string;
  /** Joined its group and fetching; false from a crash until it runs again. */
  readonly running: boolean;
  /** Restarts made by the supervisor (kafkajs's own restarts of retriable crashes not counted). */
  readonly restarts: number;
  readonly lastError?: string;
}

/**
 * A kafkajs consumer that never dies quietly. kafkajs restarts a consumer after a retriable
 * crash, but after a non-retriable one (the group coordinator no longer knows the member, say,
 * after its session expired during a long database wait) it leaves it disconnected for good:
 * the process keeps serving health while nothing is consumed. Here every crash marks the consumer
 * not running (so /ready says so), and one that kafkajs will not restart is replaced by a new
 * consumer, with backoff, until it runs again or is stopped.
 */
export class SupervisedConsumer {
  private current: Consumer | undefined;
  private running = false;
  private stopped = false;
  private restarts = 0;
  private failures = 0;
  private lastError: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly initialMs: number;
  private readonly maxMs: number;

  constructor(private readonly options: SupervisedConsumerOptions) {
    this.initialMs = options.restartInitialMs ?? 500;
    this.maxMs = options.restartMaxMs ?? 30_000;
  }

  /** The first start: a failure is thrown to the caller (which decides to exit or retry). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.launch();
  }

  isRunning(): boolean {
    return this.running;
  }

  status(): ConsumerStatus {
    return {
      name: this.options.name,
      running: this.running,
      restarts: this.restarts,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
    };
  }

  /** Leaves the group; a restart waiting for its backoff is cancelled. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.running = false;
    clearTimeout(this.timer);
    await this.current?.disconnect();
  }

  private async launch(): Promise<void> {
    const consumer = this.options.create();
    this.current = consumer;
    consumer.on(consumer.events.CRASH, (event: ConsumerCrashEvent) =>
      this.crashed(consumer, event),
    );
    // After kafkajs restarted a consumer by itself, joining the group again means it runs.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (this.current === consumer && !this.stopped) this.running = true;
    });
    await this.options.run(consumer);
    if (this.current === consumer && !this.stopped) {
      this.running = true;
      this.failures = 0;
    }
  }

  private crashed(consumer: Consumer, event: ConsumerCrashEvent): void {
    if (consumer !== this.current || this.stopped) return;
    const { error, restart } = event.payload;
    this.running = false;
    this.lastError = error.message;
    this.options.logger.error(`${this.options.name}: consumer crashed`, {
      consumer: this.options.name,
      error: error.message,
      kafkajsRestarts: restart,
    });
    if (!restart) this.scheduleRestart();
  }

  private scheduleRestart(): void {
    if (this.stopped) return;
    this.failures += 1;
    const base = Math.min(this.maxMs, this.initialMs * 2 ** (this.failures - 1));
    const delayMs = Math.round(base * (0.8 + Math.random() * 0.2));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.relaunch(), delayMs);
  }

  private async relaunch(): Promise<void> {
    if (this.stopped) return;
    const previous = this.current;
    await previous?.disconnect().catch(() => undefined);
    try {
      this.restarts += 1;
      await this.launch();
      this.options.logger.warn(`${this.options.name}: consumer restarted`, {
        consumer: this.options.name,
        restarts: this.restarts,
      });
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      this.options.logger.error(`${this.options.name}: consumer restart failed; retrying`, {
        consumer: this.options.name,
        error: this.lastError,
        restarts: this.restarts,
      });
      this.scheduleRestart();
    }
  }
}
