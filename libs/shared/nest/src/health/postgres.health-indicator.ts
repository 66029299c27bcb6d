import { checkPostgres } from '@hookline/shared-event-store';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE } from '../tokens';

/** `postgres`: the app's pool runs `SELECT 1`. Only where the app has a database. */
@Injectable()
export class PostgresHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @Optional() @Inject(DATA_SOURCE) private readonly dataSource?: DataSource,
  ) {}

  get applies(): boolean {
    return this.dataSource !== undefined;
  }

  async check(key = 'postgres') {
    const session = this.indicators.check(key);
    if (!this.dataSource) return session.down({ error: 'this app has no database' });
    const { ok, ...details } = await checkPostgres(this.dataSource);
    return ok ? session.up(details) : session.down(details);
  }
}
