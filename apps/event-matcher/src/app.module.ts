import { PlatformModule } from '@hookline/shared-nest';
import { type DynamicModule, Module } from '@nestjs/common';
import type { EventMatcherConfig } from './config';
import { EventMatcherService } from './matching/event-matcher.service';
import { EVENT_MATCHER_CONFIG } from './tokens';

@Module({})
export class AppModule {
  static register(
    config: EventMatcherConfig,
    options: {
      logDestination?: Parameters<typeof PlatformModule.register>[0]['logDestination'];
    } = {},
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.register({
          appName: 'event-matcher',
          kafkaBrokers: config.kafka.brokers,
          kafkaSecurity: config.kafka.security,
          logLevel: config.HOOKLINE_LOG_LEVEL,
          ...(options.logDestination ? { logDestination: options.logDestination } : {}),
        }),
      ],
      providers: [{ provide: EVENT_MATCHER_CONFIG, useValue: config }, EventMatcherService],
    };
  }
}
