import { JSON_SCHEMA_DIALECT } from '../json-schema/common.schema';
import {
  SCAN_BASE_PROPERTIES,
  SCAN_BASE_REQUIRED,
  type ScanEventBase,
} from './scan-completed.event';

/** `data` of `scan.started`: a security scan began. */
export type ScanStartedData = ScanEventBase;

export const SCAN_STARTED_DATA_SCHEMA = {
  $schema: JSON_SCHEMA_DIALECT,
  title: 'scan.started data',
  type: 'object',
  required: SCAN_BASE_REQUIRED,
  properties: SCAN_BASE_PROPERTIES,
  additionalProperties: true,
} as const;
