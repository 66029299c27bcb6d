import { ACCESS_MIGRATIONS, ApiKeyStore } from '@hookline/access-data-access';
import {
  DELIVERIES_MIGRATIONS,
  DeliveryQueries,
  recordWebhookStatus,
} from '@hookline/deliveries-data-access';
import {
  createDataSource,
  dataSourceOpener,
  initializeDataSource,
  EVENT_STORE_MIGRATIONS,
  OutboxRelay,
  PostgresEventStore,
} from '@hookline/shared-event-store';
import { ensureTopics, type TopicSpec } from '@hookline/shared-kafka';
import {
  createOutboxMetrics,
  DATA_SOURCE,
  KAFKA,
  METRICS_REGISTRY,
  PlatformModule,
  logSink,
} from '@hookline/shared-nest';
import { WEBHOOKS_MIGRATIONS, WebhookStore } from '@hookline/webhooks-data-access';
import {
  type DynamicModule,
  Inject,
  Logger,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
  ValidationPipe,
} from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { ThrottlerModule } from '@nestjs/throttler';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { CreateApiKeyHttpController } from './api-keys/create-api-key/create-api-key.http.controller';
import { GetCurrentKeyHttpController } from './api-keys/get-current-key/get-current-key.http.controller';
import { ListApiKeysHttpController } from './api-keys/list-api-keys/list-api-keys.http.controller';
import { RevokeApiKeyHttpController } from './api-keys/revoke-api-key/revoke-api-key.http.controller';
import { ApiKeyGuard } from './auth/api-key.guard';
import type { ConfigApiConfig } from './config';
import { DeliveryRequestOutbox } from './deliveries/delivery-request.outbox';
import type { ReplayLimits } from './deliveries/queue-replay';
import { DeliveryExports } from './deliveries/export-deliveries/delivery-exports';
import { ExportDeliveriesHttpController } from './deliveries/export-deliveries/export-deliveries.http.controller';
import { ExportSlots } from './deliveries/export-deliveries/export-slots';
import { GetDeliveryHttpController } from './deliveries/get-delivery/get-delivery.http.controller';
import { GetDeliveryActivityHttpController } from './deliveries/get-delivery-activity/get-delivery-activity.http.controller';
import { ListDeliveriesHttpController } from './deliveries/list-deliveries/list-deliveries.http.controller';
import { RetryDeliveryHandler } from './deliveries/retry-delivery/retry-delivery.handler';
import { RetryDeliveryHttpController } from './deliveries/retry-delivery/retry-delivery.http.controller';
import { ListEventTypesHttpController } from './event-types/list-event-types.http.controller';
import { HttpErrorFilter } from './http/http-error.filter';
import { HttpMetricsMiddleware } from './http/http-metrics.middleware';
import { rateLimitOptions } from './http/rate-limit';
import { validationExceptionFactory } from './http/validation-exception.factory';
import {
  API_KEY_STORE,
  DELIVERY_EXPORTS,
  RETENTION_DAYS,
  DELIVERY_READS,
  DELIVERY_REQUEST_OUTBOX,
  KEY_RING,
  REPLAY_LIMITS,
  TEST_WEBHOOK_OPTIONS,
  WEBHOOK_COMMANDS_OPTIONS,
  WEBHOOK_INPUT_OPTIONS,
  WEBHOOK_QUOTAS,
  WEBHOOK_STORE,
} from './tokens';
import { ActivateWebhookHandler } from './webhooks/activate-webhook/activate-webhook.handler';
import { ActivateWebhookHttpController } from './webhooks/activate-webhook/activate-webhook.http.controller';
import { AutoPauseWebhookHandler } from './webhooks/auto-pause-webhook/auto-pause-webhook.handler';
import { CreateWebhookHandler } from './webhooks/create-webhook/create-webhook.handler';
import { CreateWebhookHttpController } from './webhooks/create-webhook/create-webhook.http.controller';
import { DeleteWebhookHandler } from './webhooks/delete-webhook/delete-webhook.handler';
import { DeleteWebhookHttpController } from './webhooks/delete-webhook/delete-webhook.http.controller';
import { GetWebhookHttpController } from './webhooks/get-webhook/get-webhook.http.controller';
import { GetWebhookStatsHttpController } from './webhooks/get-webhook-stats/get-webhook-stats.http.controller';
import { ListWebhooksHttpController } from './webhooks/list-webhooks/list-webhooks.http.controller';
import { PauseWebhookHandler } from './webhooks/pause-webhook/pause-webhook.handler';
import { PauseWebhookHttpController } from './webhooks/pause-webhook/pause-webhook.http.controller';
import { PreviewBodyTemplateHttpController } from './webhooks/preview-body-template/preview-body-template.http.controller';
import { RecoverWebhookHandler } from './webhooks/recover-webhook/recover-webhook.handler';
import { RecoverWebhookHttpController } from './webhooks/recover-webhook/recover-webhook.http.controller';
import { RevealWebhookSecretHttpController } from './webhooks/reveal-webhook-secret/reveal-webhook-secret.http.controller';
import { RotateWebhookSecretHandler } from './webhooks/rotate-webhook-secret/rotate-webhook-secret.handler';
import { RotateWebhookSecretHttpController } from './webhooks/rotate-webhook-secret/rotate-webhook-secret.http.controller';
import {
  TestWebhookHandler,
  type TestWebhookOptions,
} from './webhooks/test-webhook/test-webhook.handler';
import { TestWebhookHttpController } from './webhooks/test-webhook/test-webhook.http.controller';
import { UpdateWebhookHandler } from './webhooks/update-webhook/update-webhook.handler';
import { UpdateWebhookHttpController } from './webhooks/update-webhook/update-webhook.http.controller';
import {
  WebhookCommandsConsumer,
  type WebhookCommandsOptions,
} from './webhooks/webhook-commands.consumer';

/** Every table the config API reads or writes, oldest migration first. */
export const CONFIG_API_MIGRATIONS = [
  ...EVENT_STORE_MIGRATIONS,
  ...WEBHOOKS_MIGRATIONS,
  ...ACCESS_MIGRATIONS,
  // Read here (history, stats, replays), written by the delivery worker.
  ...DELIVERIES_MIGRATIONS,
];

/** How often Test webhook looks for the worker's outcome. */
const TEST_OUTCOME_POLL_MS = 200;

/** What an export refused for want of a slot is told to wait. */
const EXPORT_RETRY_AFTER_SECONDS = 10;

const OUTBOX_RELAY = Symbol('OutboxRelay');

/** Requests a replay reads and queues per round trip. */
const REPLAY_PAGE_SIZE = 1000;
const EXPORT_DATA_SOURCE = Symbol('ExportDataSource');
const APP_TOPICS = Symbol('AppTopics');

export interface AppModuleOptions {
  /** Start the outbox relay with the app (default true); tests of the relay itself turn it off. */
  readonly relay?: boolean;
  /** Consume webhooks.commands with the app (default true); specs not about it turn it off. */
  readonly commands?: boolean;
  readonly logDestination?: Parameters<typeof PlatformModule.register>[0]['logDestination'];
}

@Module({})
export class AppModule
  implements NestModule, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger('config-api');

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay | null,
    @Inject(APP_TOPICS) private readonly topics: readonly TopicSpec[],
    @Inject(EXPORT_DATA_SOURCE) private readonly exportDataSource: DataSource,
  ) {}

  static register(config: ConfigApiConfig, options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.register({
          appName: 'config-api',
          kafkaBrokers: config.kafka.brokers,
          kafkaSecurity: config.kafka.security,
          database: dataSourceOpener({
            url: config.database.url,
            ssl: config.database.ssl,
            migrations: CONFIG_API_MIGRATIONS,
          }),
          logLevel: config.HOOKLINE_LOG_LEVEL,
          ...(options.logDestination ? { logDestination: options.logDestination } : {}),
        }),
        CqrsModule.forRoot(),
        ThrottlerModule.forRoot(
          rateLimitOptions({
            perMinute: config.HOOKLINE_RATE_LIMIT_PER_MINUTE,
            costlyPerMinute: config.HOOKLINE_RATE_LIMIT_COSTLY_PER_MINUTE,
          }),
        ),
      ],
      controllers: [
        CreateWebhookHttpController,
        PreviewBodyTemplateHttpController,
        ListWebhooksHttpController,
        GetWebhookHttpController,
        UpdateWebhookHttpController,
        DeleteWebhookHttpController,
        PauseWebhookHttpController,
        ActivateWebhookHttpController,
        RecoverWebhookHttpController,
        TestWebhookHttpController,
        GetWebhookStatsHttpController,
        RotateWebhookSecretHttpController,
        RevealWebhookSecretHttpController,
        ListDeliveriesHttpController,
        // Before GetDeliveryHttpController, whose :id would otherwise take `export`, `activity`.
        ExportDeliveriesHttpController,
        GetDeliveryActivityHttpController,
        GetDeliveryHttpController,
        RetryDeliveryHttpController,
        ListEventTypesHttpController,
        CreateApiKeyHttpController,
        ListApiKeysHttpController,
        RevokeApiKeyHttpController,
        GetCurrentKeyHttpController,
      ],
      providers: [
        { provide: KEY_RING, useValue: config.keyRing },
        { provide: WEBHOOK_QUOTAS, useValue: config.quotas },
        {
          provide: WEBHOOK_INPUT_OPTIONS,
          useValue: { allowHttp: config.HOOKLINE_ALLOW_HTTP, vendor: config.HOOKLINE_VENDOR },
        },
        {
          provide: WEBHOOK_STORE,
          inject: [DATA_SOURCE],
          useFactory: (dataSource: DataSource) =>
            new WebhookStore(
              dataSource,
              new PostgresEventStore(dataSource),
              { webhooksPerCompany: config.quotas.webhooksPerCompany },
              [
                // The worker checks this where it claims: a pause holds from the moment it returns.
                (manager, webhook) =>
                  recordWebhookStatus(manager, {
                    webhookId: webhook.id,
                    status: webhook.deleted ? 'deleted' : webhook.status,
                    version: webhook.version,
                  }),
              ],
              config.topics.config,
            ),
        },
        {
          provide: WEBHOOK_COMMANDS_OPTIONS,
          useValue: {
            topic: config.topics.entry('commands'),
            groupId: config.HOOKLINE_CONFIG_API_COMMANDS_GROUP,
          } satisfies WebhookCommandsOptions,
        },
        {
          provide: DELIVERY_READS,
          inject: [DATA_SOURCE],
          useFactory: (dataSource: DataSource) => new DeliveryQueries(dataSource),
        },
        {
          provide: EXPORT_DATA_SOURCE,
          // Exports hold a connection as long as their client reads: never one of the pool every
          // other request (the API key check included) waits on.
          useFactory: () =>
            initializeDataSource(
              createDataSource({
                url: config.database.url,
                ssl: config.database.ssl,
                migrations: [],
                applicationName: 'hookline-config-api-export',
                poolSize: config.HOOKLINE_EXPORT_CONCURRENCY,
                statementTimeoutMs: config.HOOKLINE_EXPORT_STATEMENT_TIMEOUT_MS,
                // Exports read through cursors, which pg's client-side timer does not suit; each
                // fetch is bounded by the server's statement_timeout, the whole by the export's
                // maximum duration.
                clientQueryTimeout: false,
              }),
            ),
        },
        { provide: RETENTION_DAYS, useValue: config.HOOKLINE_RETENTION_DAYS },
        {
          provide: DELIVERY_EXPORTS,
          inject: [EXPORT_DATA_SOURCE],
          useFactory: (dataSource: DataSource) =>
            new DeliveryExports({
              reads: new DeliveryQueries(dataSource),
              slots: new ExportSlots({
                global: config.HOOKLINE_EXPORT_CONCURRENCY,
                perCompany: config.HOOKLINE_EXPORT_CONCURRENCY_PER_COMPANY,
              }),
              maxDurationMs: config.HOOKLINE_EXPORT_MAX_DURATION_MS,
              maxRangeDays: config.HOOKLINE_EXPORT_MAX_RANGE_DAYS,
              retryAfterSeconds: EXPORT_RETRY_AFTER_SECONDS,
            }),
        },
        {
          provide: DELIVERY_REQUEST_OUTBOX,
          inject: [DATA_SOURCE],
          useFactory: (dataSource: DataSource) =>
            new DeliveryRequestOutbox(dataSource, config.topics.deliveries),
        },
        {
          provide: REPLAY_LIMITS,
          useValue: {
            maxDeliveries: config.HOOKLINE_REPLAY_MAX_DELIVERIES,
            maxWindowDays: config.HOOKLINE_RECOVER_MAX_WINDOW_DAYS,
            pageSize: REPLAY_PAGE_SIZE,
          } satisfies ReplayLimits,
        },
        {
          provide: TEST_WEBHOOK_OPTIONS,
          useValue: {
            timeoutMs: config.HOOKLINE_TEST_WEBHOOK_TIMEOUT_MS,
            pollMs: TEST_OUTCOME_POLL_MS,
          } satisfies TestWebhookOptions,
        },
        {
          provide: API_KEY_STORE,
          inject: [DATA_SOURCE],
          useFactory: (dataSource: DataSource) => new ApiKeyStore(dataSource),
        },
        {
          provide: OUTBOX_RELAY,
          inject: [DATA_SOURCE, KAFKA, METRICS_REGISTRY],
          useFactory: (dataSource: DataSource, kafka: Kafka, registry: Registry) => {
            if (options.relay === false) return null;
            const relay: OutboxRelay = new OutboxRelay({
              dataSource,
              kafka,
              logger: logSink(new Logger('outbox-relay')),
              onDeadLetter: createOutboxMetrics(registry, () => relay.backlog()),
            });
            return relay;
          },
        },
        // The commands topic is the commands consumer's to create: it is off in some specs.
        {
          provide: APP_TOPICS,
          useValue: config.topics
            .for('config-api')
            .filter((spec) => spec.topic !== config.topics.commands),
        },
        ApiKeyGuard,
        CreateWebhookHandler,
        UpdateWebhookHandler,
        DeleteWebhookHandler,
        PauseWebhookHandler,
        ActivateWebhookHandler,
        RecoverWebhookHandler,
        TestWebhookHandler,
        RetryDeliveryHandler,
        RotateWebhookSecretHandler,
        AutoPauseWebhookHandler,
        ...(options.commands === false ? [] : [WebhookCommandsConsumer]),
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({
            whitelist: true,
            forbidNonWhitelisted: true,
            transform: true,
            exceptionFactory: validationExceptionFactory,
          }),
        },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('{*path}');
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.relay) return;
    // The relay publishes whatever the outbox holds, in order: a topic missing on a broker that
    // does not create topics would stop it at that row, and every change behind it.
    const created = await ensureTopics(this.kafka, this.topics);
    if (created.length > 0) this.logger.log(`created topics ${created.join(', ')}`);
    await this.relay.start();
  }

  /** Before the DataSource closes: the relay finishes its batch while it can still delete rows. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.exportDataSource.isInitialized) await this.exportDataSource.destroy();
  }
}
