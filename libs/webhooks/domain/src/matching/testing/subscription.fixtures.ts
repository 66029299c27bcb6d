import {
  samplePayload,
  type EventEnvelope,
  type EventType,
  type IssueStatus,
  type WebhookConfigRecord,
} from '@hookline/contracts';

export const COMPANY = 'comp-uuid-1234';
export const OTHER_COMPANY = 'comp-uuid-9999';
export const PROJECT = 'proj-uuid-9012';
export const OTHER_PROJECT = 'proj-uuid-0000';

/** A valid `webhooks.config` record; the filters and identity come from `overrides`. */
export function configRecord(overrides: Partial<WebhookConfigRecord> = {}): WebhookConfigRecord {
  return {
    schemaVersion: 1,
    webhookId: 'wh_1',
    company: COMPANY,
    name: 'Slack Notifications',
    url: 'https://hooks.example.com/services/T000/B000',
    type: 'slack',
    events: ['issue.status_changed'],
    projectIds: [],
    statusFilter: [],
    status: 'active',
    version: 1,
    updatedAt: '2025-01-15T14:30:00.000Z',
    bodyTemplate: null,
    signingSecret: null,
    headers: [],
    ...overrides,
  };
}

export interface EnvelopeOverrides {
  company?: string;
  /** Ignored for types without a project. */
  projectId?: string;
  /** Sets `data.status` where the type has one (`issue.*`). */
  status?: IssueStatus;
  eventId?: string;
}

/** The catalog's sample envelope of `type`, moved to another company, project or status. */
export function envelope(type: EventType, overrides: EnvelopeOverrides = {}): EventEnvelope {
  const e: EventEnvelope = samplePayload(type);
  if (overrides.company !== undefined) e.data.company = overrides.company;
  if (overrides.projectId !== undefined && 'project' in e.data) {
    e.data.project = { id: overrides.projectId, name: 'Project' };
  }
  if (overrides.status !== undefined && 'status' in e.data) e.data.status = overrides.status;
  if (overrides.eventId !== undefined) e.event_id = overrides.eventId;
  return e;
}
