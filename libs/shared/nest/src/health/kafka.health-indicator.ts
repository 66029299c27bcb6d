import { checkKafka } from '@hookline/shared-kafka';
import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { Kafka } from 'kafkajs';
import { KAFKA } from '../tokens';

/** `kafka`: the cluster describes itself (broker count, controller id), or why it does not. */
@Injectable()
export class KafkaHealthIndicator {
  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(key = 'kafka') {
    const session = this.indicators.check(key);
    const { ok, ...details } = await checkKafka(this.kafka);
    return ok ? session.up(details) : session.down(details);
  }
}
