import type { DataSourceOpener } from '@hookline/shared-event-store';
import { createKafka, type KafkaSecurity } from '@hookline/shared-kafka';
import {
  type DynamicModule,
  Inject,
  Logger,
  Module,
  type OnApplicationShutdown,
  Optional,
  type Provider,
} from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { DataSource } from 'typeorm';
import { HealthHttpController } from './health/health.http.controller';
import { KafkaHealthIndicator } from './health/kafka.health-indicator';
import { PostgresHealthIndicator } from './health/postgres.health-indicator';
import { ReadinessHealthIndicator } from './health/readiness.health-indicator';
import { ReadinessRegistry } from './health/readiness.registry';
import { pinoParams } from './logging';
import { createMetricsRegistry } from './metrics/metrics';
import { MetricsHttpController } from './metrics/metrics.http.controller';
import { DATA_SOURCE, KAFKA, METRICS_REGISTRY } from './tokens';

export interface PlatformModuleOptions {
  /** Names the app to the broker and the database (`hookline-<app>`). */
  readonly appName: string;
  readonly kafkaBrokers: readonly string[];
  /** TLS and SASL toward the brokers (`kafkaConnection`); plaintext when omitted. */
  readonly kafkaSecurity?: KafkaSecurity;
  /**
   * Opens the app's pool (`dataSourceOpener` of the event store); omitted by apps without a
   * database. A function, not options: an app without one (the matcher) never loads the event
   * store's module, nor TypeORM with it (about 350 modules, 7 MB of heap).
   */
  readonly database?: DataSourceOpener;
  readonly logLevel?: string;
  /** Where the JSON log lines go; stdout unless given (tests capture them). */
  readonly logDestination?: DestinationStream;
}

/**
 * What every app shares: structured logs (pino, secrets redacted), its kafkajs client (KAFKA),
 * its DataSource (DATA_SOURCE) where it has a database, its metrics registry (METRICS_REGISTRY,
 * scraped at /metrics), and the /health and /ready endpoints (terminus).
 */
@Module({})
export class PlatformModule implements OnApplicationShutdown {
  constructor(@Optional() @Inject(DATA_SOURCE) private readonly dataSource?: DataSource) {}

  static register(options: PlatformModuleOptions): DynamicModule {
    const clientId = `hookline-${options.appName}`;
    const kafkaLogger = new Logger('kafkajs');
    const providers: Provider[] = [
      ReadinessRegistry,
      { provide: METRICS_REGISTRY, useFactory: () => createMetricsRegistry(options.appName) },
      {
        provide: KAFKA,
        useValue: createKafka({
          brokers: options.kafkaBrokers,
          clientId,
          ...(options.kafkaSecurity ? { security: options.kafkaSecurity } : {}),
          logSink: {
            log: (level, message, fields) =>
              kafkaLogger[level === 'info' ? 'log' : level]({ message, ...fields }),
          },
        }),
      },
    ];
    const { database } = options;
    if (database) {
      providers.push({
        provide: DATA_SOURCE,
        useFactory: () => database(clientId),
      });
    }
    return {
      module: PlatformModule,
      global: true,
      imports: [
        LoggerModule.forRoot(
          pinoParams({
            appName: options.appName,
            ...(options.logLevel ? { level: options.logLevel } : {}),
            ...(options.logDestination ? { destination: options.logDestination } : {}),
          }),
        ),
        // Not ready is an answer to the prober (503 with the details), not an error to log: an
        // app polled while it starts would fill its log with errors.
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthHttpController, MetricsHttpController],
      providers: [
        ...providers,
        KafkaHealthIndicator,
        PostgresHealthIndicator,
        ReadinessHealthIndicator,
      ],
      exports: providers.map((provider) =>
        typeof provider === 'function' ? provider : (provider as { provide: symbol }).provide,
      ),
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource?.isInitialized) await this.dataSource.destroy();
  }
}
