import { createKafka } from '@hookline/shared-kafka';
import { type DynamicModule, Logger, Module } from '@nestjs/common';
import type { EventMatcherConfig } from './config';
import { HealthHttpController } from './health/health.http.controller';
import { KAFKA } from './tokens';

/** Matching of ingest events to webhook subscriptions arrives with the event-matcher issue. */
@Module({})
export class AppModule {
  static register(config: EventMatcherConfig): DynamicModule {
    const logger = new Logger('kafkajs');
    return {
      module: AppModule,
      controllers: [HealthHttpController],
      providers: [
        {
          provide: KAFKA,
          useValue: createKafka({
            brokers: config.KAFKA_BROKERS,
            clientId: 'hookline-event-matcher',
            logSink: {
              log: (level, message, fields) =>
                logger[level === 'info' ? 'log' : level]({ message, ...fields }),
            },
          }),
        },
      ],
    };
  }
}
