import { Inject, Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE } from '../tokens';
import { CachedProbe } from './cached-probe';

interface PostgresHealth {
  readonly ok: boolean;
  readonly error?: string;
}

/** Runs `SELECT 1` on the data source's pool. */
async function checkPostgres(dataSource: DataSource): Promise<PostgresHealth> {
  try {
    await dataSource.query('SELECT 1');
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * `postgres`: the app's pool runs `SELECT 1`, at most every few seconds and answered as down
 * after 2 s ({@link CachedProbe}). Only where the app has a database.
 */
@Injectable()
export class PostgresHealthIndicator {
  private readonly probe: CachedProbe<PostgresHealth> | undefined;

  constructor(
    private readonly indicators: HealthIndicatorService,
    @Optional() @Inject(DATA_SOURCE) private readonly dataSource?: DataSource,
  ) {
    this.probe = dataSource ? new CachedProbe(() => checkPostgres(dataSource)) : undefined;
  }

  get applies(): boolean {
    return this.dataSource !== undefined;
  }

  async check(key = 'postgres') {
    const session = this.indicators.check(key);
    if (!this.probe) return session.down({ error: 'this app has no database' });
    const { ok, ...details } = await this.probe.check();
    return ok ? session.up(details) : session.down(details);
  }
}
