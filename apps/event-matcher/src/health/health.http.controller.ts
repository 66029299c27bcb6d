import { checkKafka } from '@hookline/shared-kafka';
import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { Kafka } from 'kafkajs';
import { KAFKA } from '../tokens';

@Controller('health')
export class HealthHttpController {
  constructor(@Inject(KAFKA) private readonly kafka: Kafka) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: the broker answers. 503 while it does not. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response) {
    const kafka = await checkKafka(this.kafka);
    res.status(kafka.ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: kafka.ok ? 'ok' : 'unavailable', kafka };
  }
}
