/**
 * How long the platform keeps delivery logs, as the REST API reports it: `retention` in
 * `GET /v1/deliveries` and `GET /v1/webhooks/:id/stats`, and the export's headers
 * {@link RETENTION_HEADERS}. Deliveries created before `since` are not listed or exported; a
 * history or export range whose `to` is at or before it is a 422 naming `to`.
 */
export interface RetentionWindow {
  /** `HOOKLINE_RETENTION_DAYS`. */
  readonly days: number;
  /** UTC timestamp: now minus `days`. */
  readonly since: string;
}

/** The CSV export's response headers carrying the window. */
export const RETENTION_HEADERS = {
  days: 'Hookline-Retention-Days',
  since: 'Hookline-Retention-Since',
} as const;

/** `HOOKLINE_RETENTION_DAYS` when unset. */
export const DEFAULT_RETENTION_DAYS = 90;
