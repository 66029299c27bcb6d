import {
  DATE_TIME_SCHEMA,
  JSON_SCHEMA_DIALECT,
  NON_EMPTY_STRING_SCHEMA,
} from '../json-schema/common.schema';
import {
  SCAN_BASE_PROPERTIES,
  SCAN_BASE_REQUIRED,
  type ScanEventBase,
} from './scan-completed.event';

/** `data` of `scan.failed`: a scan encountered an error. */
export interface ScanFailedData extends ScanEventBase {
  /** What went wrong, readable. */
  error: string;
  /** When processing stopped (same name as in `scan.completed`). */
  processed_at: string;
}

export const SCAN_FAILED_DATA_SCHEMA = {
  $schema: JSON_SCHEMA_DIALECT,
  title: 'scan.failed data',
  type: 'object',
  required: [...SCAN_BASE_REQUIRED, 'error', 'processed_at'],
  properties: {
    ...SCAN_BASE_PROPERTIES,
    error: NON_EMPTY_STRING_SCHEMA,
    processed_at: DATE_TIME_SCHEMA,
  },
  additionalProperties: true,
} as const;
