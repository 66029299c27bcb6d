import { EVENT_STORE_MIGRATIONS } from '@hookline/shared-event-store';
import { PlatformModule } from '@hookline/shared-nest';
import { type DynamicModule, Module } from '@nestjs/common';
import type { ConfigApiConfig } from './config';

@Module({})
export class AppModule {
  static register(config: ConfigApiConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.register({
          appName: 'config-api',
          kafkaBrokers: config.KAFKA_BROKERS,
          database: { url: config.DATABASE_URL, migrations: EVENT_STORE_MIGRATIONS },
        }),
      ],
    };
  }
}
