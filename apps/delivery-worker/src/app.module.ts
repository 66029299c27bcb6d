import { EVENT_STORE_MIGRATIONS } from '@hookline/shared-event-store';
import { PlatformModule } from '@hookline/shared-nest';
import { type DynamicModule, Module } from '@nestjs/common';
import type { DeliveryWorkerConfig } from './config';

@Module({})
export class AppModule {
  static register(config: DeliveryWorkerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.register({
          appName: 'delivery-worker',
          kafkaBrokers: config.KAFKA_BROKERS,
          logLevel: config.HOOKLINE_LOG_LEVEL,
          database: { url: config.DATABASE_URL, migrations: EVENT_STORE_MIGRATIONS },
        }),
      ],
    };
  }
}
