import type { EventType } from '../catalog/event-types';
import type { EventEnvelope } from '../envelope/event-envelope';
import { deepFreeze } from '../util/deep-freeze';

const PROJECT = { id: 'proj-uuid-9012', name: 'Production API' };

/**
 * One sample envelope per event type, for "Test webhook" and for validating custom body templates
 * at save time. Five are the product document's samples, unchanged (the fixtures in
 * `src/fixtures` pin them); `scan.started` and `scan.failed` are modelled on `scan.completed`.
 * Deep-frozen: use `samplePayload` for a copy you may change.
 */
export const SAMPLE_ENVELOPES: { readonly [K in EventType]: EventEnvelope<K> } = deepFreeze({
  'issue.status_changed': {
    event_id: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
    event_type: 'issue.status_changed',
    timestamp: '2025-01-15T14:30:00.000Z',
    data: {
      company: 'comp-uuid-1234',
      issue_id: 'issue-uuid-5678',
      classification: 'SQL Injection',
      urgency: 'HI',
      status: 'fixed',
      previous_status: 'open',
      file_path: 'src/controllers/user.py',
      line_num: 45,
      project: { ...PROJECT },
      scan_id: 'scan-uuid-3456',
      url: 'https://app.corgea.com/issue/issue-uuid-5678/',
    },
  },
  'issue.assigned': {
    event_id: 'c3d4e5f6-a7b8-9012-cdef-123456789012',
    event_type: 'issue.assigned',
    timestamp: '2025-01-15T16:00:00.000Z',
    data: {
      company: 'comp-uuid-1234',
      issue_id: 'issue-uuid-5678',
      classification: 'Cross-Site Scripting (XSS)',
      urgency: 'ME',
      status: 'open',
      assigned_to: { id: 'user-uuid-1111', email: 'jane.doe@company.com', name: 'Jane Doe' },
      previously_assigned_to: {
        id: 'user-uuid-2222',
        email: 'john.smith@company.com',
        name: 'John Smith',
      },
      project: { ...PROJECT },
      url: 'https://app.corgea.com/issue/issue-uuid-5678/',
    },
  },
  'scan.started': {
    event_id: 'f6a7b8c9-d0e1-2345-f012-345678901234',
    event_type: 'scan.started',
    timestamp: '2025-01-15T15:40:00.000Z',
    data: {
      company: 'comp-uuid-1234',
      scan_id: 'scan-uuid-7890',
      run_id: 'run-12345',
      project: { ...PROJECT },
      branch: 'main',
      engine: 'corgea-blast',
      scan_type: 'full',
      created_at: '2025-01-15T15:40:00.000Z',
    },
  },
  'scan.completed': {
    event_id: 'b2c3d4e5-f6a7-8901-bcde-f12345678901',
    event_type: 'scan.completed',
    timestamp: '2025-01-15T15:45:00.000Z',
    data: {
      company: 'comp-uuid-1234',
      scan_id: 'scan-uuid-7890',
      run_id: 'run-12345',
      project: { ...PROJECT },
      branch: 'main',
      engine: 'corgea-blast',
      scan_type: 'full',
      issues_found: 8,
      processed_at: '2025-01-15T15:45:00.000Z',
      created_at: '2025-01-15T15:40:00.000Z',
    },
  },
  'scan.failed': {
    event_id: '07b8c9d0-e1f2-3456-a123-456789012345',
    event_type: 'scan.failed',
    timestamp: '2025-01-15T17:02:00.000Z',
    data: {
      company: 'comp-uuid-1234',
      scan_id: 'scan-uuid-7891',
      run_id: 'run-12346',
      project: { ...PROJECT },
      branch: 'main',
      engine: 'corgea-blast',
      scan_type: 'full',
      error: 'Repository clone failed: authentication required',
      processed_at: '2025-01-15T17:02:00.000Z',
      created_at: '2025-01-15T17:00:00.000Z',
    },
  },
  'user.login': {
    event_id: 'd4e5f6a7-b8c9-0123-def0-123456789012',
    event_type: 'user.login',
    timestamp: '2025-01-15T16:10:00.000Z',
    data: {
      company: 'comp-uuid-1234',
      user_id: 123,
      username: 'jane.doe',
      email: 'jane.doe@company.com',
      first_name: 'Jane',
      last_name: 'Doe',
      user_agent: 'Mozilla/5.0',
      path: '/login/',
    },
  },
  'user.login_failed': {
    event_id: 'e5f6a7b8-c9d0-1234-ef01-234567890123',
    event_type: 'user.login_failed',
    timestamp: '2025-01-15T16:12:00.000Z',
    data: {
      company: 'comp-uuid-1234',
      username: 'jane.doe',
      user_agent: 'Mozilla/5.0',
      path: '/login/',
    },
  },
});

/** A fresh, mutable copy of the sample envelope of `eventType`. */
export function samplePayload<T extends EventType>(eventType: T): EventEnvelope<T> {
  return structuredClone(SAMPLE_ENVELOPES[eventType]) as EventEnvelope<T>;
}
