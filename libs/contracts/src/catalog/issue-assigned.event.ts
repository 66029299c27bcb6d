import { JSON_SCHEMA_DIALECT, NON_EMPTY_STRING_SCHEMA } from '../json-schema/common.schema';
import {
  COMPANY_SCHEMA,
  ISSUE_STATUS_SCHEMA,
  PROJECT_REF_SCHEMA,
  URGENCY_SCHEMA,
  URL_SCHEMA,
  USER_REF_PROPERTIES,
  USER_REF_SCHEMA,
  type IssueStatus,
  type ProjectRef,
  type Urgency,
  type UserRef,
} from './common.schema';

/** `data` of `issue.assigned`: an issue was assigned to a team member. */
export interface IssueAssignedData {
  /** The tenant. */
  company: string;
  issue_id: string;
  classification: string;
  urgency: Urgency;
  status: IssueStatus;
  assigned_to: UserRef;
  /** `null` when the issue had no assignee before. */
  previously_assigned_to: UserRef | null;
  project: ProjectRef;
  url: string;
}

export const ISSUE_ASSIGNED_DATA_SCHEMA = {
  $schema: JSON_SCHEMA_DIALECT,
  title: 'issue.assigned data',
  type: 'object',
  required: [
    'company',
    'issue_id',
    'classification',
    'urgency',
    'status',
    'assigned_to',
    'previously_assigned_to',
    'project',
    'url',
  ],
  properties: {
    company: COMPANY_SCHEMA,
    issue_id: NON_EMPTY_STRING_SCHEMA,
    classification: NON_EMPTY_STRING_SCHEMA,
    urgency: URGENCY_SCHEMA,
    status: ISSUE_STATUS_SCHEMA,
    assigned_to: USER_REF_SCHEMA,
    previously_assigned_to: {
      type: ['object', 'null'],
      required: ['id', 'email', 'name'],
      properties: USER_REF_PROPERTIES,
      additionalProperties: true,
    },
    project: PROJECT_REF_SCHEMA,
    url: URL_SCHEMA,
  },
  additionalProperties: true,
} as const;
