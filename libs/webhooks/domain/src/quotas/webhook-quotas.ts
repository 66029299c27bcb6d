import type { Webhook } from '../webhook';
import { toConfigRecord } from '../webhook-config-record.mapper';
import type { FieldViolation } from '../webhook.error';

/**
 * How much one company may store: settings of the config API, so one tenant cannot fill the
 * matchers' and workers' memory (each keeps every webhook) for all.
 */
export interface WebhookQuotas {
  /** Webhooks one company may have at once (deleted ones do not count). */
  readonly webhooksPerCompany: number;
  readonly headersPerWebhook: number;
  /** Largest custom body template, in UTF-8 bytes. */
  readonly templateMaxBytes: number;
  /** Largest `webhooks.config` record of one webhook (sealed values included), in bytes. */
  readonly recordMaxBytes: number;
}

export const DEFAULT_WEBHOOK_QUOTAS: WebhookQuotas = Object.freeze({
  webhooksPerCompany: 100,
  headersPerWebhook: 20,
  templateMaxBytes: 16 * 1024,
  recordMaxBytes: 64 * 1024,
});

/** The most a setting may raise each quota to: what the templating lib and the topic accept. */
export const WEBHOOK_QUOTA_CEILINGS: WebhookQuotas = Object.freeze({
  webhooksPerCompany: 100_000,
  headersPerWebhook: 100,
  templateMaxBytes: 64 * 1024,
  recordMaxBytes: 512 * 1024,
});

const UTF8 = new TextEncoder();

/** The per-webhook quotas `webhook` (a state after a create or update) breaks; empty if none. */
export function quotaViolations(webhook: Webhook, quotas: WebhookQuotas): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (webhook.headers.length > quotas.headersPerWebhook) {
    violations.push({
      field: 'headers',
      rule: 'too_many',
      message: `at most ${quotas.headersPerWebhook} custom headers`,
    });
  }
  if (
    webhook.bodyTemplate !== null &&
    UTF8.encode(webhook.bodyTemplate).length > quotas.templateMaxBytes
  ) {
    violations.push({
      field: 'bodyTemplate',
      rule: 'max_length',
      message: `bodyTemplate must be at most ${quotas.templateMaxBytes} bytes (UTF-8)`,
    });
  }
  // Only once the parts are within their own quotas: the record is their sum.
  if (violations.length === 0) {
    const bytes = UTF8.encode(JSON.stringify(toConfigRecord(webhook))).length;
    if (bytes > quotas.recordMaxBytes) {
      violations.push({
        field: 'webhook',
        rule: 'too_large',
        message:
          `the webhook would take ${bytes} bytes stored, over the ${quotas.recordMaxBytes} ` +
          'allowed: shorten bodyTemplate, headers, projectIds or name',
      });
    }
  }
  return violations;
}
