// The REST API's bodies as the dashboard reads them. Enumerations come from the contracts lib
// (types only: nothing of it is bundled); the shapes follow the OpenAPI document at /docs-json.
import type { EventType, RetentionWindow, WebhookStatus, WebhookType } from '@hookline/contracts';

export type { EventType, WebhookStatus, WebhookType };

export type Action = 'webhooks:read' | 'webhooks:write' | 'secrets:reveal' | 'keys:manage';
export type Role = 'admin' | 'integrations' | 'viewer';

export interface CurrentKey {
  keyId: string;
  company: string;
  role: Role;
  permissions: Action[];
}

export interface WebhookStats {
  webhookId: string;
  totalDeliveries: number;
  successfulDeliveries: number;
  failedDeliveries: number;
  successRate: number | null;
  consecutiveFailures: number;
  lastTriggeredAt: string | null;
  totalCalls: number;
  successfulCalls: number;
  failedCalls: number;
}

export interface Webhook {
  id: string;
  name: string;
  url: string;
  type: WebhookType;
  events: EventType[];
  projectIds: string[];
  statusFilter: string[];
  /** Names only: every value reads `********`. */
  headers: Record<string, string>;
  bodyTemplate: string | null;
  hasSecret: boolean;
  status: WebhookStatus;
  pausedReason: 'manual' | 'auto' | null;
  pausedAt: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
  stats?: WebhookStats;
}

export interface WebhookWithSecret extends Webhook {
  secret?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A page of history: the log keeps deliveries for the retention window only. */
export interface HistoryPage<T> extends Page<T> {
  retention: RetentionWindow;
}

export type HistoryStatus = 'pending' | 'delivered' | 'failed' | 'skipped';

export interface DeliverySummary {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: EventType;
  status: HistoryStatus;
  attemptCount: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  updatedAt: string;
  test: boolean;
}

export interface DeliveryAttempt {
  attempt: number;
  trigger: 'first' | 'retry' | 'manual' | 'test';
  at: string;
  url: string | null;
  requestHeaders: Record<string, string> | null;
  requestBody: string | null;
  statusCode: number | null;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  responseTruncated: boolean | null;
  failureClass: string | null;
  error: string | null;
  durationMs: number | null;
}

export interface DeliveryDetail extends DeliverySummary {
  attempts: DeliveryAttempt[];
  request: Record<string, unknown>;
}

export interface ActivityBucket {
  webhookId: string;
  /** Start of the hour, UTC. */
  start: string;
  delivered: number;
  failed: number;
  pending: number;
  skipped: number;
}

export interface DeliveryActivity {
  from: string;
  to: string;
  items: ActivityBucket[];
}

export interface TestResult {
  deliveryId: string;
  success: boolean;
  statusCode: number | null;
  durationMs: number | null;
  responseSnippet: string | null;
  error: string | null;
}

/** What `POST /v1/webhooks/{id}/recover` queued; not complete: go on from `resumeFrom`. */
export interface RecoveryQueued {
  queued: number;
  complete: boolean;
  resumeFrom?: string;
}

export interface EventTypeInfo {
  type: EventType;
  category: string;
  description: string;
  hasProject: boolean;
  supportsStatusFilter: boolean;
  dataSchema: Record<string, unknown>;
  sample: Record<string, unknown>;
}

export interface TemplateProblem {
  code: string;
  message: string;
  line: number | null;
  column: number | null;
}

export interface BodyTemplatePreview {
  placeholders: string[];
  issues: TemplateProblem[];
  previews: Array<{ eventType: EventType; body: string | null; error: TemplateProblem | null }>;
}

export interface ApiKey {
  id: string;
  prefix: string;
  name: string;
  role: Role;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface CreatedApiKey extends ApiKey {
  key: string;
}

export interface FieldViolation {
  field: string;
  rule: string;
  message: string;
}

export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string;
  violations?: FieldViolation[];
  deliveryId?: string;
}
