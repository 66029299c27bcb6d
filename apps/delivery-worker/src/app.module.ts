import { DELIVERIES_MIGRATIONS, DeliveryWorkStore } from '@hookline/deliveries-data-access';
import { EVENT_STORE_MIGRATIONS } from '@hookline/shared-event-store';
import { DATA_SOURCE, PlatformModule } from '@hookline/shared-nest';
import { type DynamicModule, Module } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { DeliveryWorkerConfig } from './config';
import { DeliveryWorkerService } from './delivery-worker.service';
import { RetentionService } from './retention/retention.service';
import { DELIVERY_WORK_STORE, DELIVERY_WORKER_CONFIG } from './tokens';

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
          database: {
            url: config.database.url,
            ssl: config.database.ssl,
            migrations: DELIVERY_WORKER_MIGRATIONS,
            poolSize: config.HOOKLINE_DATABASE_POOL_SIZE,
          },
          ...(options.logDestination ? { logDestination: options.logDestination } : {}),
        }),
      ],
      providers: [
        { provide: DELIVERY_WORKER_CONFIG, useValue: config },
        {
          provide: DELIVERY_WORK_STORE,
          inject: [DATA_SOURCE],
          useFactory: (dataSource: DataSource) =>
            new DeliveryWorkStore(dataSource, {
              deliveryLogTopic: config.HOOKLINE_DELIVERY_LOG_TOPIC,
            }),
        },
        DeliveryWorkerService,
        RetentionService,
      ],
    };
  }
}
