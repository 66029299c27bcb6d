import { DeliveryPartitions, type MaintenanceReport } from '@hookline/deliveries-data-access';
import { DATA_SOURCE, ReadinessRegistry } from '@hookline/shared-nest';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { DeliveryWorkerConfig } from '../config';
import { DELIVERY_WORKER_CONFIG } from '../tokens';

/**
 * The delivery log's partitions, kept by the workers: at boot, and every
 * `HOOKLINE_RETENTION_INTERVAL_MS` after, one worker of the fleet (an advisory lock) creates the
 * weeks ahead and drops the weeks older than `HOOKLINE_RETENTION_DAYS` (ADR 0011). Not ready
 * while the last run failed (weeks not created ahead would fail intake once the current ones
 * run out); a run skipped because another worker holds the lock is no failure.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('retention');
  private readonly partitions: DeliveryPartitions;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastError: string | undefined;
  private lastReport: MaintenanceReport | undefined;
  private stopped = false;

  constructor(
    @Inject(DATA_SOURCE) dataSource: DataSource,
    @Inject(DELIVERY_WORKER_CONFIG) private readonly config: DeliveryWorkerConfig,
    readiness: ReadinessRegistry,
  ) {
    this.partitions = new DeliveryPartitions(dataSource);
    readiness.register('retention', () => ({
      ok: this.lastError === undefined,
      retentionDays: config.HOOKLINE_RETENTION_DAYS,
      ...(this.lastError === undefined ? {} : { error: this.lastError }),
      ...(this.lastReport?.cutoff ? { cutoff: this.lastReport.cutoff.toISOString() } : {}),
    }));
  }

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number) {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.run().finally(() => {
        this.running = undefined;
        this.schedule(this.config.HOOKLINE_RETENTION_INTERVAL_MS);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    const startedAt = Date.now();
    try {
      const report = await this.partitions.maintain({
        retentionDays: this.config.HOOKLINE_RETENTION_DAYS,
      });
      this.lastError = undefined;
      this.lastReport = report;
      if (!report.ran) return;
      this.logger.log({
        msg: 'delivery log partitions maintained',
        created: report.created,
        dropped: report.dropped,
        retentionDays: this.config.HOOKLINE_RETENTION_DAYS,
        cutoff: report.cutoff?.toISOString(),
        ms: Date.now() - startedAt,
      });
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      this.logger.error({
        msg: 'delivery log partition maintenance failed',
        error: this.lastError,
      });
    }
  }
}
