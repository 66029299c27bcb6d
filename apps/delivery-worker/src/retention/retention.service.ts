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

/** How long shutdown waits for a maintenance run in progress. */
const SHUTDOWN_WAIT_MS = 5_000;

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
  /** The weeks ahead were made (or found made by another worker) since boot. */
  private ensured = false;

  constructor(
    @Inject(DATA_SOURCE) dataSource: DataSource,
    @Inject(DELIVERY_WORKER_CONFIG) private readonly config: DeliveryWorkerConfig,
    readiness: ReadinessRegistry,
  ) {
    this.partitions = new DeliveryPartitions(dataSource);
    readiness.register('retention', () => ({
      ok: this.ensured && this.lastError === undefined,
      retentionDays: config.HOOKLINE_RETENTION_DAYS,
      ...(this.lastError === undefined ? {} : { error: this.lastError }),
      ...(this.lastReport?.cutoff ? { cutoff: this.lastReport.cutoff.toISOString() } : {}),
    }));
  }

  /** At boot the weeks ahead first (quick), then retention at once and on the schedule. */
  onApplicationBootstrap(): void {
    this.running = this.run(false).finally(() => {
      this.running = undefined;
      this.schedule(0);
    });
  }

  /**
   * A run in progress gets a few seconds; one still waiting then (a detach waiting for a long
   * reader) is cut when the pool closes, and the next run anywhere in the fleet finishes it.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.running,
      new Promise((resolve) => {
        timer = setTimeout(resolve, SHUTDOWN_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
  }

  private schedule(delayMs: number) {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.run(true).finally(() => {
        this.running = undefined;
        this.schedule(this.config.HOOKLINE_RETENTION_INTERVAL_MS);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async run(retain: boolean): Promise<void> {
    const startedAt = Date.now();
    try {
      const report = await this.partitions.maintain(
        retain ? { retentionDays: this.config.HOOKLINE_RETENTION_DAYS } : {},
      );
      this.lastError = undefined;
      // Another worker holding the lock is making them: the migration made the first ones.
      this.ensured = true;
      if (report.cutoff) this.lastReport = report;
      if (!report.ran) return;
      this.logger.log({
        msg: 'delivery log partitions maintained',
        created: report.created,
        dropped: report.dropped,
        retentionDays: this.config.HOOKLINE_RETENTION_DAYS,
        cutoff: report.cutoff?.toISOString(),
        ms: Date.now() - startedAt,
        ...(report.cutMs === undefined ? {} : { cutMs: Math.round(report.cutMs) }),
        ...(report.dropMs === undefined ? {} : { dropMs: Math.round(report.dropMs) }),
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
