import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorFunction } from '@nestjs/terminus';
import { ReadinessRegistry } from './readiness.registry';

/** One indicator per check registered in the {@link ReadinessRegistry}, under its name. */
@Injectable()
export class ReadinessHealthIndicator {
  constructor(
    private readonly registry: ReadinessRegistry,
    private readonly indicators: HealthIndicatorService,
  ) {}

  checks(): HealthIndicatorFunction[] {
    return this.registry.names().map((name) => () => {
      const session = this.indicators.check(name);
      const state = this.registry.state(name);
      if (!state) return session.down({ error: 'check no longer registered' });
      const { ok, ...details } = state;
      return ok ? session.up(details) : session.down(details);
    });
  }
}
