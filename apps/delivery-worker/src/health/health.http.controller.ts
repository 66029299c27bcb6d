import { checkPostgres } from '@hookline/shared-event-store';
import { checkKafka } from '@hookline/shared-kafka';
import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE, KAFKA } from '../tokens';

@Controller('health')
export class HealthHttpController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(KAFKA) private readonly kafka: Kafka,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: the delivery log's database and the broker answer. 503 while either does not. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response) {
    const [postgres, kafka] = await Promise.all([
      checkPostgres(this.dataSource),
      checkKafka(this.kafka),
    ]);
    const ok = postgres.ok && kafka.ok;
    res.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ok ? 'ok' : 'unavailable', postgres, kafka };
  }
}
