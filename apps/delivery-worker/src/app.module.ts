import { createDataSource, EVENT_STORE_MIGRATIONS } from '@hookline/shared-event-store';
import { createKafka } from '@hookline/shared-kafka';
import {
  type DynamicModule,
  Inject,
  Logger,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { DeliveryWorkerConfig } from './config';
import { HealthHttpController } from './health/health.http.controller';
import { CONFIG, DATA_SOURCE, KAFKA } from './tokens';

@Module({})
export class AppModule implements OnApplicationShutdown {
  static register(config: DeliveryWorkerConfig): DynamicModule {
    return {
      module: AppModule,
      controllers: [HealthHttpController],
      providers: [
        { provide: CONFIG, useValue: config },
        {
          provide: DATA_SOURCE,
          inject: [CONFIG],
          useFactory: async (config: DeliveryWorkerConfig) => {
            const dataSource = createDataSource({
              url: config.DATABASE_URL,
              migrations: EVENT_STORE_MIGRATIONS,
              applicationName: 'hookline-delivery-worker',
            });
            return dataSource.initialize();
          },
        },
        {
          provide: KAFKA,
          inject: [CONFIG],
          useFactory: (config: DeliveryWorkerConfig) => {
            const logger = new Logger('kafkajs');
            return createKafka({
              brokers: config.KAFKA_BROKERS,
              clientId: 'hookline-delivery-worker',
              logSink: {
                log: (level, message, fields) =>
                  logger[level === 'info' ? 'log' : level]({ message, ...fields }),
              },
            });
          },
        },
      ],
    };
  }

  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
