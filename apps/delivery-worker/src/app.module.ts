import {
  DELIVERIES_MIGRATIONS,
  DeliveryLogRelay,
  DeliveryWorkStore,
} from '@hookline/deliveries-data-access';
import { dataSourceOpener, EVENT_STORE_MIGRATIONS } from '@hookline/shared-event-store';
import { DATA_SOURCE, KAFKA, logSink, PlatformModule } from '@hookline/shared-nest';
import { type DynamicModule, Logger, Module } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { DeliveryWorkerConfig } from './config';
import { DeliveryWorkerService } from './delivery-worker.service';
import { RetentionService } from './retention/retention.service';
import { DELIVERY_LOG_RELAY, DELIVERY_WORK_STORE, DELIVERY_WORKER_CONFIG } from './tokens';

/** Every table the delivery worker reads or writes, oldest migration first. */
export const DELIVERY_WORKER_MIGRATIONS = [...EVENT_STORE_MIGRATIONS, ...DELIVERIES_MIGRATIONS];

@Module({})
export class AppModule {
  static register(
    config: DeliveryWorkerConfig,
    options: {
      logDestination?: Parameters<typeof PlatformModule.register>[0]['logDestination'];
    } = {},
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.register({
          appName: 'delivery-worker',
          kafkaBrokers: config.kafka.brokers,
          kafkaSecurity: config.kafka.security,
          logLevel: config.HOOKLINE_LOG_LEVEL,
          database: dataSourceOpener({
            url: config.database.url,
            ssl: config.database.ssl,
            migrations: DELIVERY_WORKER_MIGRATIONS,
            poolSize: config.HOOKLINE_DATABASE_POOL_SIZE,
          }),
          ...(options.logDestination ? { logDestination: options.logDestination } : {}),
        }),
      ],
      providers: [
        { provide: DELIVERY_WORKER_CONFIG, useValue: config },
        {
          provide: DELIVERY_LOG_RELAY,
          inject: [DATA_SOURCE, KAFKA],
          useFactory: (dataSource: DataSource, kafka: Kafka) =>
            new DeliveryLogRelay({
              dataSource,
              kafka,
              topic: config.HOOKLINE_DELIVERY_LOG_TOPIC,
              logger: logSink(new Logger('delivery-log-relay')),
            }),
        },
        {
          provide: DELIVERY_WORK_STORE,
          inject: [DATA_SOURCE, DELIVERY_LOG_RELAY],
          useFactory: (dataSource: DataSource, relay: DeliveryLogRelay) =>
            // What this worker appends reaches the delivery-log topic at once.
            new DeliveryWorkStore(dataSource, { onAppended: () => relay.notify() }),
        },
        DeliveryWorkerService,
        RetentionService,
      ],
    };
  }
}
