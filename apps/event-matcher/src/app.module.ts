import { PlatformModule } from '@hookline/shared-nest';
import { type DynamicModule, Module } from '@nestjs/common';
import type { EventMatcherConfig } from './config';

@Module({})
export class AppModule {
  static register(config: EventMatcherConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.register({
          appName: 'event-matcher',
          kafkaBrokers: config.KAFKA_BROKERS,
          logLevel: config.HOOKLINE_LOG_LEVEL,
        }),
      ],
    };
  }
}
