import {
  describeViolations,
  KAFKA_HEADERS,
  parseWebhookCommandRequested,
  type WebhookCommandRequested,
} from '@hookline/contracts';
import {
  BatchConsumer,
  type ConsumedBatch,
  ensureTopics,
  type TopicSpec,
} from '@hookline/shared-kafka';
import {
  createCounter,
  KAFKA,
  METRICS_REGISTRY,
  ReadinessRegistry,
  logSink,
  startInBackground,
} from '@hookline/shared-nest';
import { WebhookDomainError } from '@hookline/webhooks-domain';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Kafka, KafkaMessage } from 'kafkajs';
import type { Counter, Registry } from 'prom-client';
import { WEBHOOK_COMMANDS_OPTIONS } from '../tokens';
import {
  AutoPauseWebhookCommand,
  type AutoPauseOutcome,
} from './auto-pause-webhook/auto-pause-webhook.command';

export interface WebhookCommandsOptions {
  /** The commands topic as the topic catalog describes it. */
  readonly topic: TopicSpec;
  readonly groupId: string;
}

const header = (value: Buffer | string | (Buffer | string)[] | undefined): string | undefined =>
  value === undefined ? undefined : String(Array.isArray(value) ? value[0] : value);

/**
 * Consumes `webhooks.commands` and executes each command through the command bus, committing a
 * chunk's offsets only after all of its commands ran. A command that can never run (unparseable,
 * or its webhook is unknown, deleted or another company's) is logged and skipped; any other
 * failure (database down) throws, so the chunk is handed over again: replaying a command
 * changes nothing.
 */
@Injectable()
export class WebhookCommandsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('webhook-commands');
  private consumer: BatchConsumer | undefined;
  private consuming = false;
  private readonly executed: Counter<'outcome'>;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(WEBHOOK_COMMANDS_OPTIONS) private readonly options: WebhookCommandsOptions,
    private readonly commandBus: CommandBus,
    readiness: ReadinessRegistry,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.executed = createCounter(registry, {
      name: 'hookline_webhook_auto_pause_commands_executed_total',
      help: 'AutoPauseWebhook commands consumed, by outcome (paused, unchanged, skipped)',
      labelNames: ['outcome'],
    });
    readiness.register('webhookCommands', () => {
      const status = this.consumer?.status();
      return { ok: this.consuming && status?.running === true, consumer: status ?? 'not started' };
    });
  }

  /** Starts in the background: the REST API serves while the consumer joins its group. */
  onApplicationBootstrap(): void {
    startInBackground(this.logger, 'webhook commands consumer', () => this.start());
  }

  private async start(): Promise<void> {
    const { topic: spec, groupId } = this.options;
    const topic = spec.topic;
    const created = await ensureTopics(this.kafka, [spec]);
    if (created.length > 0) this.logger.log(`created topics ${created.join(', ')}`);
    this.consumer = new BatchConsumer({
      kafka: this.kafka,
      groupId,
      topics: [topic],
      handle: (batch) => this.handle(batch),
      logger: logSink(this.logger),
    });
    await this.consumer.start();
    this.consuming = true;
  }

  /** One chunk of one partition, in order: a webhook's commands share its partition. */
  private async handle(batch: ConsumedBatch): Promise<void> {
    for (const message of batch.messages) await this.execute(batch, message);
  }

  private async execute(batch: ConsumedBatch, message: KafkaMessage): Promise<void> {
    const source = { topic: batch.topic, partition: batch.partition, offset: message.offset };
    const parsed = parseWebhookCommandRequested(message.value);
    if (!parsed.ok) {
      this.skip(source, message.key?.toString('utf8'), describeViolations(parsed.errors));
      return;
    }
    const request = parsed.value;
    const key = message.key?.toString('utf8');
    if (key !== undefined && key !== request.webhookId) {
      this.skip(source, request.webhookId, `the message key ${key} is not the webhook id`);
      return;
    }
    const causationId =
      header(message.headers?.[KAFKA_HEADERS.causationId]) ?? request.correlationId;
    try {
      const outcome = await this.run(request, causationId);
      this.executed.inc({ outcome });
      this.logger.log({
        msg: outcome === 'paused' ? 'webhook auto-paused' : 'webhook already paused; unchanged',
        webhookId: request.webhookId,
        company: request.company,
        consecutiveFailures: request.consecutiveFailures,
        correlationId: request.correlationId,
        ...source,
      });
    } catch (error) {
      // Refused by the aggregate: running it again gives the same answer, so it is skipped.
      // Anything else propagates and BatchConsumer retries the chunk after a backoff.
      if (!(error instanceof WebhookDomainError)) throw error;
      this.skip(source, request.webhookId, `${error.code}: ${error.message}`);
    }
  }

  private run(request: WebhookCommandRequested, causationId: string): Promise<AutoPauseOutcome> {
    switch (request.type) {
      case 'AutoPauseWebhook':
        return this.commandBus.execute<AutoPauseWebhookCommand, AutoPauseOutcome>(
          new AutoPauseWebhookCommand(request, causationId),
        );
    }
  }

  private skip(
    source: { topic: string; partition: number; offset: string },
    webhookId: string | undefined,
    reason: string,
  ): void {
    this.executed.inc({ outcome: 'skipped' });
    this.logger.warn({ msg: 'webhook command skipped', webhookId, reason, ...source });
  }

  /** Before the DataSource closes: finishes the chunk in hand and commits it. */
  async beforeApplicationShutdown(): Promise<void> {
    this.consuming = false;
    await this.consumer?.stop();
  }
}
