import type { TemplatePayload } from './compile-template';

/** Test data only: the seed's scan.completed default payload, with overridable data. */
export function scanCompleted(data: Record<string, unknown> = {}): TemplatePayload {
  return {
    event_id: '550e8400-e29b-41d4-a716-446655440000',
    event_type: 'scan.completed',
    timestamp: '2025-01-15T14:30:00.000Z',
    data: {
      company: 'company-uuid',
      scan_id: 'scan-uuid',
      project: { id: 'project-uuid', name: 'My Application' },
      issues_found: 12,
      ...data,
    },
  };
}

/** 2025-01-15T14:30:00.000Z in unix seconds. */
export const SCAN_COMPLETED_TIME = 1736951400;
