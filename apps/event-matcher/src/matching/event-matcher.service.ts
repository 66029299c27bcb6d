import {
  KAFKA_HEADERS,
  parseWebhookConfigRecord,
  type DeadLetterSource,
} from '@hookline/contracts';
import {
  BatchConsumer,
  PIPELINE_COMMIT_EVERY_MS,
  type ConsumedBatch,
  ensureTopics,
  followTopic,
  renewingProducer,
  SendCoalescer,
  type SendingProducer,
  type TopicFollower,
} from '@hookline/shared-kafka';
import {
  KAFKA,
  METRICS_REGISTRY,
  ReadinessRegistry,
  logSink,
  startInBackground,
} from '@hookline/shared-nest';
import { routeEvent, SubscriptionIndex } from '@hookline/webhooks-domain';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Kafka, Message } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { EventMatcherConfig } from '../config';
import { EVENT_MATCHER_CONFIG } from '../tokens';
import { createMatcherMetrics, type MatcherMetrics } from './event-matcher.metrics';

/** Well under a broker's default 1 MiB message.max.bytes, whatever partition gets the lot. */
const MAX_REQUEST_BYTES = 512 * 1024;
/**
 * Ingest partitions whose chunks are routed at once: all of a fetch's, so that their requests go
 * to the broker in one produce request ({@link SendCoalescer}).
 */
const PARTITIONS_AT_ONCE = 32;

const header = (value: Buffer | string | (Buffer | string)[] | undefined): string | undefined =>
  value === undefined ? undefined : String(Array.isArray(value) ? value[0] : value);

/**
 * The matcher: follows webhooks.config into an in-memory subscription index, and once it has
 * caught up consumes the ingest topics, producing one DeliveryRequested per matched webhook (or
 * a dead-letter record) and committing an input offset only after the broker acknowledged all
 * that was derived from the messages before it.
 */
@Injectable()
export class EventMatcherService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('event-matcher');
  private readonly index = new SubscriptionIndex();
  private readonly producer: SendingProducer;
  private readonly sender: SendCoalescer;
  private follower: TopicFollower | undefined;
  private consumer: BatchConsumer | undefined;
  private consuming = false;
  private readonly metrics: MatcherMetrics;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(EVENT_MATCHER_CONFIG) private readonly config: EventMatcherConfig,
    readiness: ReadinessRegistry,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.metrics = createMatcherMetrics(registry);
    // Ingest offsets are committed once a send resolves, so it resolves only with every partition
    // written (what kafkajs skips when a leader moves is sent again), and a session lost with a
    // broker is replaced: the deliveries' ids make a resend harmless.
    this.producer = renewingProducer(kafka, {}, (msg, fields) =>
      this.logger.warn({ msg, ...fields }),
    );
    this.sender = new SendCoalescer(this.producer, MAX_REQUEST_BYTES);
    // Ready only while the index follows webhooks.config (caught up) and ingest consumes: a
    // consumer that crashed makes this false until it runs again.
    readiness.register('subscriptionIndex', () => {
      const ingest = this.consumer?.status();
      const config = this.follower?.status();
      const caughtUp = this.follower?.isCaughtUp() ?? false;
      return {
        ok: this.consuming && ingest?.running === true && config?.running === true && caughtUp,
        ingest: ingest ?? 'not started',
        config: config ?? 'not started',
        caughtUp,
        webhooks: this.index.size,
      };
    });
  }

  /** Starts in the background: /health answers at once, /ready once the index caught up. */
  onApplicationBootstrap(): void {
    startInBackground(this.logger, 'event matcher', () => this.start());
  }

  private async start(): Promise<void> {
    const { config } = this;
    await ensureTopics(this.kafka, config.topics.for('event-matcher'));
    await this.producer.connect();
    const startedAt = Date.now();
    this.follower = await followTopic(this.kafka, {
      topic: config.HOOKLINE_CONFIG_TOPIC,
      groupIdPrefix: `${config.HOOKLINE_EVENT_MATCHER_GROUP}-index`,
      logger: logSink(this.logger),
      onMessage: (message) => this.applyConfig(message.key, message.value),
    });
    await this.follower.caughtUp;
    this.logger.log({
      msg: 'subscription index caught up',
      webhooks: this.index.size,
      ms: Date.now() - startedAt,
    });

    this.consumer = new BatchConsumer({
      kafka: this.kafka,
      groupId: config.HOOKLINE_EVENT_MATCHER_GROUP,
      topics: config.HOOKLINE_INGEST_TOPICS,
      handle: (batch) => this.handle(batch),
      partitionsConcurrently: PARTITIONS_AT_ONCE,
      // A request matched again has the same delivery id, recorded once by the worker.
      commitEveryMs: PIPELINE_COMMIT_EVERY_MS,
      logger: logSink(this.logger),
    });
    await this.consumer.start();
    this.consuming = true;
  }

  private applyConfig(key: Buffer | null, value: Buffer | null): void {
    const webhookId = key?.toString('utf8');
    if (!webhookId) {
      this.logger.error({ msg: 'webhooks.config record without a key ignored' });
      return;
    }
    if (value === null) {
      this.index.apply(webhookId, null);
      return;
    }
    const parsed = parseWebhookConfigRecord(value);
    if (!parsed.ok || parsed.value.webhookId !== webhookId) {
      // A record the index cannot use must not stop every replay: it is logged and skipped.
      this.logger.error({
        msg: 'invalid webhooks.config record ignored',
        webhookId,
        errors: parsed.ok
          ? ['webhookId differs from the key']
          : parsed.errors.map((e) => `${e.path} ${e.rule}`),
      });
      return;
    }
    this.index.apply(webhookId, parsed.value);
  }

  /** One chunk of one ingest partition: route every message, send all, then return. */
  private async handle(batch: ConsumedBatch): Promise<void> {
    const requests: Message[] = [];
    const deadLetters: Message[] = [];
    const deadLetterReasons: string[] = [];
    let matched = 0;
    for (const message of batch.messages) {
      const source: DeadLetterSource = {
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        key: message.key?.toString('utf8') ?? null,
      };
      const correlationId = header(message.headers?.[KAFKA_HEADERS.correlationId]);
      const result = routeEvent(message.value, source, this.index, {
        maxEventBytes: this.config.HOOKLINE_MAX_EVENT_BYTES,
        ...(correlationId ? { correlationId } : {}),
      });
      if (result.kind === 'dead_letter') {
        this.logger.warn({
          msg: 'event dead-lettered',
          ...(correlationId ? { correlationId } : {}),
          topic: source.topic,
          partition: source.partition,
          offset: source.offset,
          reason: result.deadLetter.reason,
        });
        deadLetterReasons.push(result.deadLetter.errors[0]?.rule ?? 'rejected');
        deadLetters.push({
          key: message.key,
          value: JSON.stringify(result.deadLetter),
          headers: {
            [KAFKA_HEADERS.messageType]: 'EventDeadLettered',
            [KAFKA_HEADERS.schemaVersion]: '1',
          },
        });
        continue;
      }
      if (result.requests.length > 0) matched += 1;
      const [first] = result.requests;
      if (first) {
        // Debug: one line per matched event, with the correlation id the worker logs too.
        this.logger.debug({
          msg: 'event matched',
          correlationId: first.correlationId,
          eventId: first.eventId,
          eventType: first.eventType,
          webhooks: result.requests.map((r) => r.webhookId),
        });
      }
      for (const request of result.requests) {
        requests.push({
          key: request.webhookId,
          value: JSON.stringify(request),
          headers: {
            [KAFKA_HEADERS.messageType]: 'DeliveryRequested',
            [KAFKA_HEADERS.schemaVersion]: '1',
            [KAFKA_HEADERS.correlationId]: request.correlationId,
            [KAFKA_HEADERS.causationId]: request.eventId,
          },
        });
      }
    }
    await this.sender.send([
      { topic: this.config.HOOKLINE_DELIVERIES_TOPIC, messages: requests },
      { topic: this.config.HOOKLINE_DEAD_LETTER_TOPIC, messages: deadLetters },
    ]);
    // Counted once the broker has it all: a chunk that fails is handed over again.
    this.metrics.eventsConsumed.inc({ topic: batch.topic }, batch.messages.length);
    this.metrics.eventsMatched.inc(matched);
    this.metrics.requestsProduced.inc(requests.length);
    for (const reason of deadLetterReasons) this.metrics.eventsDeadLettered.inc({ reason });
  }

  /** Finishes the chunk in hand and commits it, then stops following and producing. */
  async beforeApplicationShutdown(): Promise<void> {
    this.consuming = false;
    await this.consumer?.stop();
    await this.follower?.stop();
    await this.producer.disconnect();
  }
}
