import type { ValidateFunction } from 'ajv';
import { ajv } from '../validation/ajv';
import { toViolations, type ValidationResult } from '../validation/contract-violation';
import { deepFreeze } from '../util/deep-freeze';
import { EVENT_TYPES, type EventType } from './event-types';
import { ISSUE_ASSIGNED_DATA_SCHEMA, type IssueAssignedData } from './issue-assigned.event';
import {
  ISSUE_STATUS_CHANGED_DATA_SCHEMA,
  type IssueStatusChangedData,
} from './issue-status-changed.event';
import { SCAN_COMPLETED_DATA_SCHEMA, type ScanCompletedData } from './scan-completed.event';
import { SCAN_FAILED_DATA_SCHEMA, type ScanFailedData } from './scan-failed.event';
import { SCAN_STARTED_DATA_SCHEMA, type ScanStartedData } from './scan-started.event';
import { USER_LOGIN_FAILED_DATA_SCHEMA, type UserLoginFailedData } from './user-login-failed.event';
import { USER_LOGIN_DATA_SCHEMA, type UserLoginData } from './user-login.event';

/** The `data` type of each event type. */
export interface EventDataMap {
  'issue.status_changed': IssueStatusChangedData;
  'issue.assigned': IssueAssignedData;
  'scan.started': ScanStartedData;
  'scan.completed': ScanCompletedData;
  'scan.failed': ScanFailedData;
  'user.login': UserLoginData;
  'user.login_failed': UserLoginFailedData;
}

export type EventCategory = 'issue' | 'scan' | 'user';

/** A JSON Schema document, read-only (the lib's schemas are deep-frozen). */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** What the catalog knows about one event type (served by the API's event-type catalog). */
export interface EventCatalogEntry<T extends EventType = EventType> {
  readonly type: T;
  readonly category: EventCategory;
  /** The product document's description. */
  readonly description: string;
  /** Whether `data.project` is present, i.e. whether a project filter can apply. */
  readonly hasProject: boolean;
  /** Whether a webhook's status filter applies to this type (it matches `data.status`). */
  readonly supportsStatusFilter: boolean;
  /** JSON Schema (draft 2020-12) of `data`. Additional properties are allowed. */
  readonly dataSchema: JsonSchema;
}

/** The event catalog: every deliverable event type with its `data` schema. */
export const EVENT_CATALOG: { readonly [K in EventType]: EventCatalogEntry<K> } = deepFreeze({
  'issue.status_changed': {
    type: 'issue.status_changed',
    category: 'issue',
    description: "Triggered when an issue's status is updated (e.g., open → fixed)",
    hasProject: true,
    supportsStatusFilter: true,
    dataSchema: ISSUE_STATUS_CHANGED_DATA_SCHEMA,
  },
  'issue.assigned': {
    type: 'issue.assigned',
    category: 'issue',
    description: 'Triggered when an issue is assigned to a team member',
    hasProject: true,
    supportsStatusFilter: false,
    dataSchema: ISSUE_ASSIGNED_DATA_SCHEMA,
  },
  'scan.started': {
    type: 'scan.started',
    category: 'scan',
    description: 'Triggered when a security scan begins',
    hasProject: true,
    supportsStatusFilter: false,
    dataSchema: SCAN_STARTED_DATA_SCHEMA,
  },
  'scan.completed': {
    type: 'scan.completed',
    category: 'scan',
    description: 'Triggered when a scan finishes successfully',
    hasProject: true,
    supportsStatusFilter: false,
    dataSchema: SCAN_COMPLETED_DATA_SCHEMA,
  },
  'scan.failed': {
    type: 'scan.failed',
    category: 'scan',
    description: 'Triggered when a scan encounters an error',
    hasProject: true,
    supportsStatusFilter: false,
    dataSchema: SCAN_FAILED_DATA_SCHEMA,
  },
  'user.login': {
    type: 'user.login',
    category: 'user',
    description: 'Triggered when a user successfully logs in',
    hasProject: false,
    supportsStatusFilter: false,
    dataSchema: USER_LOGIN_DATA_SCHEMA,
  },
  'user.login_failed': {
    type: 'user.login_failed',
    category: 'user',
    description: 'Triggered when a user login attempt fails',
    hasProject: false,
    supportsStatusFilter: false,
    dataSchema: USER_LOGIN_FAILED_DATA_SCHEMA,
  },
});

type DataValidators = { readonly [K in EventType]: ValidateFunction<EventDataMap[K]> };

function compileDataValidators(): DataValidators {
  const entries = EVENT_TYPES.map((type) => [type, ajv.compile(EVENT_CATALOG[type].dataSchema)]);
  return Object.fromEntries(entries) as DataValidators;
}

/** Compiled once, at module load. */
const DATA_VALIDATORS = compileDataValidators();

/**
 * Validates a `data` object against its event type's schema. Paths in errors are relative to
 * `data` (`/project/id`); `pathPrefix` prepends the pointer of `data` in a larger document.
 */
export function validateEventData<T extends EventType>(
  eventType: T,
  data: unknown,
  pathPrefix = '',
): ValidationResult<EventDataMap[T]> {
  const validate = DATA_VALIDATORS[eventType] as ValidateFunction<EventDataMap[T]>;
  if (validate(data)) return { ok: true, value: data };
  return { ok: false, errors: toViolations(validate.errors, pathPrefix) };
}
