import { type DeliveryReads, type HistoryFilter } from '@hookline/deliveries-data-access';
import type { Readable } from 'node:stream';
import { ExportBusyError, ExportTimeLimitError } from './export-busy.error';
import type { ExportSlots } from './export-slots';
import { exportWindow } from './export-window';

export interface DeliveryExportsOptions {
  /** The read side on the export pool: its connections serve exports only. */
  readonly reads: Pick<DeliveryReads, 'exportAttempts'>;
  readonly slots: ExportSlots;
  readonly maxDurationMs: number;
  readonly maxRangeDays: number;
  /** What a refused export is told to wait, in seconds. */
  readonly retryAfterSeconds: number;
}

/** One running export: its rows, and what to call once the response is over. */
export interface OpenExport {
  readonly rows: Readable;
  readonly filter: HistoryFilter;
  /** Frees the slot and the time limit; idempotent. */
  readonly close: () => void;
}

/**
 * The CSV export's guard rails: a slot per export (per company and per process), a bounded date
 * window, and a maximum duration after which the rows stream is destroyed, which closes its
 * cursor and hands its connection back, however slowly the client reads.
 */
export class DeliveryExports {
  constructor(private readonly options: DeliveryExportsOptions) {}

  /**
   * @throws ExportBusyError when a cap is reached.
   * @throws WebhookDomainError `validation_failed` naming `from` for a too wide window, or what
   * `within` throws (the retention window's `to`).
   */
  async open(
    filter: HistoryFilter,
    now = new Date(),
    within: (bounded: HistoryFilter) => HistoryFilter = (bounded) => bounded,
  ): Promise<OpenExport> {
    const bounded = within(exportWindow(filter, now, this.options.maxRangeDays));
    const release = this.options.slots.tryAcquire(filter.company);
    if (!release) {
      throw new ExportBusyError(
        'Too many exports are running for this company or on this server; try again later',
        this.options.retryAfterSeconds,
      );
    }
    let rows: Readable;
    try {
      rows = await this.options.reads.exportAttempts(bounded);
    } catch (error) {
      release();
      throw error;
    }
    const timer = setTimeout(
      () => rows.destroy(new ExportTimeLimitError(this.options.maxDurationMs)),
      this.options.maxDurationMs,
    );
    timer.unref();
    const close = () => {
      clearTimeout(timer);
      release();
    };
    rows.once('close', close);
    return { rows, filter: bounded, close };
  }
}
