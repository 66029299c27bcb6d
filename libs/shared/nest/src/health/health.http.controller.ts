import { checkPostgres, type PostgresHealth } from '@hookline/shared-event-store';
import { checkKafka, type KafkaHealth } from '@hookline/shared-kafka';
import { Controller, Get, HttpStatus, Inject, Optional, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE, KAFKA } from '../tokens';
import { ReadinessRegistry, type ReadinessState } from './readiness.registry';

export interface Readiness {
  readonly status: 'ok' | 'unavailable';
  readonly kafka: KafkaHealth;
  readonly postgres?: PostgresHealth;
  readonly [check: string]: unknown;
}

@ApiTags('health')
@Controller()
export class HealthHttpController {
  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly registry: ReadinessRegistry,
    @Optional() @Inject(DATA_SOURCE) private readonly dataSource?: DataSource,
  ) {}

  /** Liveness: the process serves HTTP; touches no dependency. */
  @Get('health')
  @ApiOkResponse({ description: 'The process serves HTTP' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: every dependency of this app answers. 503 while one does not. */
  @Get('ready')
  @ApiOkResponse({ description: 'Every dependency answers' })
  @ApiServiceUnavailableResponse({ description: 'A dependency does not answer' })
  async ready(@Res({ passthrough: true }) res: Response): Promise<Readiness> {
    const [kafka, postgres] = await Promise.all([
      checkKafka(this.kafka),
      this.dataSource ? checkPostgres(this.dataSource) : undefined,
    ]);
    const others: Record<string, ReadinessState> = this.registry.report();
    const ok =
      kafka.ok && (postgres?.ok ?? true) && Object.values(others).every((check) => check.ok);
    res.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return {
      status: ok ? 'ok' : 'unavailable',
      kafka,
      ...(postgres ? { postgres } : {}),
      ...others,
    };
  }
}
