/** The event types Hookline delivers, as the product document lists them. Never renamed. */
export const EVENT_TYPES = [
  'issue.status_changed',
  'issue.assigned',
  'scan.started',
  'scan.completed',
  'scan.failed',
  'user.login',
  'user.login_failed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

const eventTypeSet: ReadonlySet<string> = new Set(EVENT_TYPES);

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && eventTypeSet.has(value);
}

/**
 * Issue statuses: the closed set the product document names. Closed so that a webhook's status
 * filter is checked when it is saved (a typo such as `fixd` is a 400, not a filter that never
 * matches). Adding a status is a contract change: add it here, and consumers' exhaustive
 * switches will point out what to update.
 */
export const ISSUE_STATUSES = ['open', 'fixed', 'false_positive', 'accepted_risk'] as const;

export type IssueStatus = (typeof ISSUE_STATUSES)[number];

const issueStatusSet: ReadonlySet<string> = new Set(ISSUE_STATUSES);

export function isIssueStatus(value: unknown): value is IssueStatus {
  return typeof value === 'string' && issueStatusSet.has(value);
}

/**
 * Issue urgency, as two-letter codes (the samples show `HI` and `ME`; the document speaks of
 * "high/critical" issues): critical, high, medium, low.
 */
export const URGENCIES = ['CR', 'HI', 'ME', 'LO'] as const;

export type Urgency = (typeof URGENCIES)[number];
