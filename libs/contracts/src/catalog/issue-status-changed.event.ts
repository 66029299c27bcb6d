import { JSON_SCHEMA_DIALECT, NON_EMPTY_STRING_SCHEMA } from '../json-schema/common.schema';
import {
  COMPANY_SCHEMA,
  ISSUE_STATUS_SCHEMA,
  PROJECT_REF_SCHEMA,
  URGENCY_SCHEMA,
  URL_SCHEMA,
  type IssueStatus,
  type ProjectRef,
  type Urgency,
} from './common.schema';

/** `data` of `issue.status_changed`: an issue's status was updated (e.g. open → fixed). */
export interface IssueStatusChangedData {
  /** The tenant. */
  company: string;
  issue_id: string;
  /** What the issue is, e.g. `SQL Injection`. */
  classification: string;
  urgency: Urgency;
  /** The new status; what a webhook's status filter matches. */
  status: IssueStatus;
  previous_status: IssueStatus;
  /** `null` for findings without a source location (e.g. a vulnerable dependency). */
  file_path: string | null;
  line_num: number | null;
  project: ProjectRef;
  scan_id: string;
  /** The issue in the product UI. */
  url: string;
}

export const ISSUE_STATUS_CHANGED_DATA_SCHEMA = {
  $schema: JSON_SCHEMA_DIALECT,
  title: 'issue.status_changed data',
  type: 'object',
  required: [
    'company',
    'issue_id',
    'classification',
    'urgency',
    'status',
    'previous_status',
    'file_path',
    'line_num',
    'project',
    'scan_id',
    'url',
  ],
  properties: {
    company: COMPANY_SCHEMA,
    issue_id: NON_EMPTY_STRING_SCHEMA,
    classification: NON_EMPTY_STRING_SCHEMA,
    urgency: URGENCY_SCHEMA,
    status: ISSUE_STATUS_SCHEMA,
    previous_status: ISSUE_STATUS_SCHEMA,
    file_path: { type: ['string', 'null'] },
    line_num: { type: ['integer', 'null'], minimum: 1 },
    project: PROJECT_REF_SCHEMA,
    scan_id: NON_EMPTY_STRING_SCHEMA,
    url: URL_SCHEMA,
  },
  additionalProperties: true,
} as const;
