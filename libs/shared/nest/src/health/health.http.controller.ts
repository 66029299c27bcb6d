import { Controller, Get, HttpStatus, Res, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheck,
  type HealthCheckResult,
  HealthCheckService,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import type { Response } from 'express';
import { KafkaHealthIndicator } from './kafka.health-indicator';
import { PostgresHealthIndicator } from './postgres.health-indicator';
import { ReadinessHealthIndicator } from './readiness.health-indicator';

/**
 * Liveness and readiness of every app. Its OpenAPI description is the config API's
 * (`describePlatformEndpoints`): the worker and the matcher serve no document, and @nestjs/swagger
 * (which terminus's `@HealthCheck` would load for its own description) costs each 8 MB.
 */
@Controller()
export class HealthHttpController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly kafka: KafkaHealthIndicator,
    private readonly postgres: PostgresHealthIndicator,
    private readonly registered: ReadinessHealthIndicator,
  ) {}

  /** Liveness: the process serves HTTP; touches no dependency. */
  @Get('health')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  live(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.run(res, []);
  }

  /**
   * Readiness: the broker and the database answer and every registered check (index caught up,
   * consumer running) holds. 503 naming what does not.
   */
  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.run(res, [
      () => this.kafka.check(),
      ...(this.postgres.applies ? [() => this.postgres.check()] : []),
      ...this.registered.checks(),
    ]);
  }

  /**
   * Terminus throws its 503 as an exception; answered here, so an app's own exception filter
   * (the config API maps every error to its API error body) cannot reshape the report.
   */
  private async run(
    res: Response,
    indicators: HealthIndicatorFunction[],
  ): Promise<HealthCheckResult> {
    try {
      return await this.health.check(indicators);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      res.status(HttpStatus.SERVICE_UNAVAILABLE);
      return error.getResponse() as HealthCheckResult;
    }
  }
}
