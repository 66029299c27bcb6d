import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { Registry } from 'prom-client';
import { METRICS_REGISTRY } from '../tokens';

/** Its OpenAPI description is the config API's (`describePlatformEndpoints`). */
@Controller()
export class MetricsHttpController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  /** The app's metrics in the Prometheus text exposition format. */
  @Get('metrics')
  async scrape(@Res() res: Response): Promise<void> {
    const body = await this.registry.metrics();
    // Written as is: Express' send() would reorder the content type's parameters.
    res.status(200).setHeader('content-type', this.registry.contentType).end(body);
  }
}
