import { EVENT_CATALOG, type EventEnvelope, type IssueStatus } from '@hookline/contracts';
import type { Subscription } from './subscription';

/**
 * The project an envelope is about, or `undefined` for types without one (catalog
 * `hasProject: false`). A `project` a producer added to a user event is not a project: the
 * catalog decides, not the payload.
 */
export function envelopeProjectId(envelope: EventEnvelope): string | undefined {
  const data = envelope.data;
  if (!EVENT_CATALOG[envelope.event_type].hasProject || !('project' in data)) return undefined;
  return data.project.id;
}

/**
 * The status a status filter is checked against, or `undefined` for types the filter does not
 * apply to (catalog `supportsStatusFilter: false`; `issue.assigned` has a status but no filter).
 */
export function envelopeFilterStatus(envelope: EventEnvelope): IssueStatus | undefined {
  const data = envelope.data;
  if (!EVENT_CATALOG[envelope.event_type].supportsStatusFilter || !('status' in data)) {
    return undefined;
  }
  return data.status;
}

/**
 * Whether an event is for a subscription. All of:
 * - same company (`data.company`);
 * - the event type is one of `events`;
 * - `projectIds` is empty, or the event has a project (catalog `hasProject`) whose id it holds:
 *   an event without a project (user events) matches only subscriptions without a project filter;
 * - for types with a status filter (`issue.status_changed`), `statusFilter` is empty or holds
 *   `data.status`; for other types the status filter is ignored.
 *
 * `status` plays no part: a paused webhook matches, and the caller holds its delivery.
 */
export function matches(subscription: Subscription, envelope: EventEnvelope): boolean {
  if (envelope.data.company !== subscription.company) return false;
  if (!subscription.events.includes(envelope.event_type)) return false;
  if (subscription.projectIds.length > 0) {
    const projectId = envelopeProjectId(envelope);
    if (projectId === undefined || !subscription.projectIds.includes(projectId)) return false;
  }
  if (
    subscription.statusFilter.length > 0 &&
    EVENT_CATALOG[envelope.event_type].supportsStatusFilter
  ) {
    const status = envelopeFilterStatus(envelope);
    if (status === undefined || !subscription.statusFilter.includes(status)) return false;
  }
  return true;
}
