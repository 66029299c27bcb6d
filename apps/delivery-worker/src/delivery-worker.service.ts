import {
  buildEventDeadLettered,
  type DeliveryRequested,
  KAFKA_HEADERS,
  parseDeliveryRequested,
} from '@hookline/contracts';
import type { DeliveryLogRelay, DeliveryWorkStore } from '@hookline/deliveries-data-access';
import { HttpSender } from '@hookline/deliveries-sender';
import { OutboxRelay } from '@hookline/shared-event-store';
import {
  BatchConsumer,
  PIPELINE_COMMIT_EVERY_MS,
  type ConsumedBatch,
  ensureTopics,
  followTopic,
  renewingProducer,
  type SendingProducer,
  type TopicFollower,
} from '@hookline/shared-kafka';
import {
  DATA_SOURCE,
  KAFKA,
  METRICS_REGISTRY,
  ReadinessRegistry,
  createOutboxMetrics,
  logSink,
  startInBackground,
} from '@hookline/shared-nest';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Kafka, Message } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { DeliveryWorkerConfig } from './config';
import { createWorkerMetrics, type WorkerMetrics } from './delivery-worker.metrics';
import { DeliveryDispatcher } from './dispatch/delivery-dispatcher';
import { DELIVERY_LOG_RELAY, DELIVERY_WORK_STORE, DELIVERY_WORKER_CONFIG } from './tokens';
import { IntakeBatcher } from './intake/intake-batcher';
import { WebhookDirectory } from './webhooks/webhook-directory';

/** Calls in flight get this long to finish at SIGTERM before their claims are handed back. */
const DRAIN_MS = 11_000;
/**
 * Partitions of the deliveries topic handled at once: all of a fetch's, so their chunks share
 * the intake's transactions ({@link IntakeBatcher}).
 */
const INTAKE_PARTITIONS_AT_ONCE = 32;

/**
 * The delivery worker: records each `DeliveryRequested` of a consumed chunk in one transaction
 * (shared with the other partitions' chunks of the fetch, {@link IntakeBatcher}) before the
 * chunk's offset is committed (intake), follows `webhooks.config` into a directory of
 * webhooks, runs the dispatcher over the PostgreSQL work queue once the directory caught up, and
 * relays the outbox (auto-pause commands) and the delivery log to Kafka.
 */
@Injectable()
export class DeliveryWorkerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('delivery-worker');
  private readonly directory = new WebhookDirectory();
  private readonly sender: HttpSender;
  private readonly dispatcher: DeliveryDispatcher;
  private readonly intakeBatcher: IntakeBatcher;
  private readonly relay: OutboxRelay;
  private readonly producer: SendingProducer;
  private follower: TopicFollower | undefined;
  private consumer: BatchConsumer | undefined;
  private intakeRunning = false;
  private readonly metrics: WorkerMetrics;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(DATA_SOURCE) dataSource: DataSource,
    @Inject(DELIVERY_WORKER_CONFIG) private readonly config: DeliveryWorkerConfig,
    @Inject(DELIVERY_WORK_STORE) store: DeliveryWorkStore,
    @Inject(DELIVERY_LOG_RELAY) private readonly logRelay: DeliveryLogRelay,
    readiness: ReadinessRegistry,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.metrics = createWorkerMetrics(registry, {
      store,
      logRelay,
      callsInFlight: () => this.dispatcher.stats().inFlight,
      webhooksPaused: () => this.directory.pausedCount(),
    });
    this.sender = new HttpSender({
      allowCidrs: config.allowCidrs,
      timeoutMs: config.HOOKLINE_DELIVERY_TIMEOUT_MS,
      maxResponseBytes: config.HOOKLINE_MAX_RESPONSE_BYTES,
      // Webhooks of one host (hooks.slack.com) share its pool: the per-webhook limit is the
      // dispatcher's, so the pool never holds one webhook's calls behind another's.
      maxSocketsPerHost: config.HOOKLINE_DELIVERY_CONCURRENCY,
      ...(config.extraCa === undefined ? {} : { extraCa: config.extraCa }),
    });
    const log = (level: 'log' | 'warn' | 'error') => (fields: object) => this.logger[level](fields);
    this.dispatcher = new DeliveryDispatcher({
      store,
      directory: this.directory,
      sender: this.sender,
      keyRing: config.keyRing,
      vendor: config.HOOKLINE_VENDOR,
      retryPolicy: config.retryPolicy,
      autoPauseThreshold: config.HOOKLINE_AUTO_PAUSE_THRESHOLD,
      commandsTopic: config.HOOKLINE_COMMANDS_TOPIC,
      concurrency: config.HOOKLINE_DELIVERY_CONCURRENCY,
      endpointConcurrency: config.HOOKLINE_DELIVERY_ENDPOINT_CONCURRENCY,
      leaseMs: config.HOOKLINE_DELIVERY_LEASE_MS,
      pollMs: config.HOOKLINE_DELIVERY_POLL_MS,
      metrics: this.metrics,
      logger: { log: log('log'), warn: log('warn'), error: log('error') },
    });
    this.intakeBatcher = new IntakeBatcher((requests, now) => store.intake(requests, now));
    this.relay = new OutboxRelay({
      dataSource,
      kafka,
      logger: logSink(new Logger('outbox-relay')),
      onDeadLetter: createOutboxMetrics(registry, () => this.relay.backlog()),
    });
    // A session lost with a broker is replaced rather than left failing every dead letter, and a
    // send resolves only with every partition written.
    this.producer = renewingProducer(kafka, {}, (msg, fields) =>
      this.logger.warn({ msg, ...fields }),
    );
    // Ready only while intake consumes, the webhook directory follows webhooks.config (caught
    // up) and the dispatcher claims: a consumer that crashed makes this false until it runs again.
    readiness.register('deliveries', () => {
      const intake = this.consumer?.status();
      const config = this.follower?.status();
      const configCaughtUp = this.follower?.isCaughtUp() ?? false;
      return {
        ok:
          this.intakeRunning &&
          intake?.running === true &&
          config?.running === true &&
          configCaughtUp &&
          this.dispatcher.isRunning,
        intake: intake ?? 'not started',
        config: config ?? 'not started',
        webhooksKnown: this.directory.size,
        configCaughtUp,
        ...this.dispatcher.stats(),
      };
    });
  }

  /** Starts in the background: /health answers at once, /ready once consuming and dispatching. */
  onApplicationBootstrap(): void {
    startInBackground(this.logger, 'delivery worker', () => this.start());
  }

  private async start(): Promise<void> {
    const { config } = this;
    await ensureTopics(this.kafka, config.topics.for('delivery-worker'));
    await this.producer.connect();
    await this.relay.start();
    await this.logRelay.start();

    // Intake does not need the webhooks: it only records. Started first so requests are durable
    // while the directory is still being built.
    this.consumer = new BatchConsumer({
      kafka: this.kafka,
      groupId: config.HOOKLINE_DELIVERY_WORKER_GROUP,
      topics: [config.HOOKLINE_DELIVERIES_TOPIC],
      handle: (batch) => this.intake(batch),
      partitionsConcurrently: INTAKE_PARTITIONS_AT_ONCE,
      // Intake is idempotent on the delivery id.
      commitEveryMs: PIPELINE_COMMIT_EVERY_MS,
      logger: logSink(this.logger),
    });
    await this.consumer.start();
    this.intakeRunning = true;

    const startedAt = Date.now();
    this.follower = await followTopic(this.kafka, {
      topic: config.HOOKLINE_CONFIG_TOPIC,
      groupIdPrefix: `${config.HOOKLINE_DELIVERY_WORKER_GROUP}-config`,
      logger: logSink(this.logger),
      onMessage: (message) => {
        const problem = this.directory.apply(message.key?.toString('utf8'), message.value);
        if (problem) this.logger.error({ msg: `webhooks.config: ${problem}` });
      },
    });
    await this.follower.caughtUp;
    this.logger.log({
      msg: 'webhook directory caught up',
      webhooks: this.directory.size,
      ms: Date.now() - startedAt,
    });
    this.dispatcher.start();
  }

  /**
   * One chunk of one partition of the deliveries topic: what cannot be read to the dead-letter
   * topic with the reason, the requests in the next intake transaction, then (on return) the
   * commit.
   */
  private async intake(batch: ConsumedBatch): Promise<void> {
    const requests: DeliveryRequested[] = [];
    const deadLetters: Message[] = [];
    for (const message of batch.messages) {
      const parsed = parseDeliveryRequested(message.value);
      if (parsed.ok) {
        requests.push(parsed.value);
        continue;
      }
      const source = {
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        key: message.key?.toString('utf8') ?? null,
      };
      const deadLetter = buildEventDeadLettered({
        source,
        raw: message.value,
        errors: parsed.errors,
      });
      this.logger.error({
        msg: 'unreadable DeliveryRequested dead-lettered',
        ...source,
        reason: deadLetter.reason,
      });
      deadLetters.push({
        key: message.key,
        value: JSON.stringify(deadLetter),
        headers: {
          [KAFKA_HEADERS.messageType]: 'EventDeadLettered',
          [KAFKA_HEADERS.schemaVersion]: '1',
        },
      });
    }
    if (deadLetters.length > 0) {
      await this.producer.send({
        topic: this.config.HOOKLINE_DELIVERIES_DEAD_LETTER_TOPIC,
        messages: deadLetters,
        acks: -1,
      });
      this.metrics.requestsDeadLettered.inc(deadLetters.length);
    }
    if (requests.length === 0) return;
    const result = await this.intakeBatcher.submit(requests);
    this.metrics.intake.inc(requests.length);
    if (result.queued > 0) this.dispatcher.wake();
  }

  /**
   * SIGTERM: stops consuming (the chunk in hand is recorded and committed), stops claiming, lets
   * calls in flight finish for up to DRAIN_MS and hands back the rest, then stops the relay.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.intakeRunning = false;
    await Promise.all([
      this.consumer?.stop(),
      this.follower?.stop(),
      this.dispatcher.stop(DRAIN_MS),
    ]);
    await Promise.all([this.relay.stop(), this.logRelay.stop()]);
    await this.producer.disconnect();
    this.sender.close();
  }
}
