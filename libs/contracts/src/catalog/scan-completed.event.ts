import {
  DATE_TIME_SCHEMA,
  JSON_SCHEMA_DIALECT,
  NON_EMPTY_STRING_SCHEMA,
} from '../json-schema/common.schema';
import { COMPANY_SCHEMA, PROJECT_REF_SCHEMA, type ProjectRef } from './common.schema';

/** Fields every scan event carries (the document's `scan.completed` sample, minus the outcome). */
export interface ScanEventBase {
  /** The tenant. */
  company: string;
  scan_id: string;
  run_id: string;
  project: ProjectRef;
  /** `null` when the scanned code did not come from a branch (e.g. an uploaded archive). */
  branch: string | null;
  /** The scanner, e.g. `corgea-blast`. An open set. */
  engine: string;
  /** E.g. `full`. An open set. */
  scan_type: string;
  /** When the scan was created (RFC 3339 date-time). */
  created_at: string;
}

export const SCAN_BASE_REQUIRED = [
  'company',
  'scan_id',
  'run_id',
  'project',
  'branch',
  'engine',
  'scan_type',
  'created_at',
] as const;

export const SCAN_BASE_PROPERTIES = {
  company: COMPANY_SCHEMA,
  scan_id: NON_EMPTY_STRING_SCHEMA,
  run_id: NON_EMPTY_STRING_SCHEMA,
  project: PROJECT_REF_SCHEMA,
  branch: { type: ['string', 'null'] },
  engine: NON_EMPTY_STRING_SCHEMA,
  scan_type: NON_EMPTY_STRING_SCHEMA,
  created_at: DATE_TIME_SCHEMA,
} as const;

/** `data` of `scan.completed`: a scan finished successfully. */
export interface ScanCompletedData extends ScanEventBase {
  issues_found: number;
  /** When processing finished. */
  processed_at: string;
}

export const SCAN_COMPLETED_DATA_SCHEMA = {
  $schema: JSON_SCHEMA_DIALECT,
  title: 'scan.completed data',
  type: 'object',
  required: [...SCAN_BASE_REQUIRED, 'issues_found', 'processed_at'],
  properties: {
    ...SCAN_BASE_PROPERTIES,
    issues_found: { type: 'integer', minimum: 0 },
    processed_at: DATE_TIME_SCHEMA,
  },
  additionalProperties: true,
} as const;
