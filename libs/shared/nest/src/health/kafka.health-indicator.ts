import { checkKafka, type KafkaHealth } from '@hookline/shared-kafka';
import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { Kafka } from 'kafkajs';
import { KAFKA } from '../tokens';
import { CachedProbe } from './cached-probe';

/**
 * `kafka`: the cluster describes itself (broker count, controller id), or why it does not;
 * probed at most every few seconds ({@link CachedProbe}).
 */
@Injectable()
export class KafkaHealthIndicator {
  private readonly probe: CachedProbe<KafkaHealth>;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    private readonly indicators: HealthIndicatorService,
  ) {
    this.probe = new CachedProbe(() => checkKafka(kafka));
  }

  async check(key = 'kafka') {
    const session = this.indicators.check(key);
    const { ok, ...details } = await this.probe.check();
    return ok ? session.up(details) : session.down(details);
  }
}
