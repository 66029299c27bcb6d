import { NON_EMPTY_STRING_SCHEMA } from '../json-schema/common.schema';
import { ISSUE_STATUSES, URGENCIES, type IssueStatus, type Urgency } from './event-types';

export type { IssueStatus, Urgency };

/** The project an event belongs to (every event except user events carries one). */
export interface ProjectRef {
  id: string;
  name: string;
}

/** A user an issue is (or was) assigned to. */
export interface UserRef {
  id: string;
  email: string;
  name: string;
}

/** The tenant: every event's `data.company`. */
export const COMPANY_SCHEMA = NON_EMPTY_STRING_SCHEMA;

export const PROJECT_REF_SCHEMA = {
  type: 'object',
  required: ['id', 'name'],
  properties: {
    id: NON_EMPTY_STRING_SCHEMA,
    name: NON_EMPTY_STRING_SCHEMA,
  },
  additionalProperties: true,
} as const;

export const USER_REF_PROPERTIES = {
  id: NON_EMPTY_STRING_SCHEMA,
  email: { type: 'string', format: 'email' },
  name: { type: 'string' },
} as const;

export const USER_REF_SCHEMA = {
  type: 'object',
  required: ['id', 'email', 'name'],
  properties: USER_REF_PROPERTIES,
  additionalProperties: true,
} as const;

export const ISSUE_STATUS_SCHEMA = { type: 'string', enum: ISSUE_STATUSES } as const;

export const URGENCY_SCHEMA = { type: 'string', enum: URGENCIES } as const;

/** Link to the issue in the product UI. */
export const URL_SCHEMA = { type: 'string', format: 'uri' } as const;
