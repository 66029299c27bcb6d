import { isWebhookId, type SealedHeader, type SealedSecret } from '@hookline/contracts';
import type { Webhook } from './webhook';
import {
  DEFAULT_SECRET_GRACE_PERIOD_SECONDS,
  MAX_SECRET_GRACE_PERIOD_SECONDS,
  type CreateWebhook,
  type ResealWebhookSecrets,
  type RotateWebhookSecret,
  type UpdateWebhook,
  type WebhookCommand,
} from './webhook.command';
import { WebhookDomainError, type FieldViolation } from './webhook.error';
import type { WebhookChanges, WebhookEvent } from './webhook.event';
import { checkWebhookFields, violation } from './webhook-input.validator';
import { DEFAULT_WEBHOOK_QUOTAS, quotaViolations } from './quotas/webhook-quotas';
import { evolve } from './webhook.evolve';

// decide cannot know the deployment's settings: the HTTP and vendor rules are the edge's
// (validateWebhookInput); every other rule is checked again here on the resulting state.
const DECIDE_CHECKS = { allowHttp: true, vendor: null } as const;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Decides what a command changes: the events to append, empty when nothing changes.
 * Pure: ids, time and sealed secrets come in the command.
 *
 * @throws WebhookDomainError `already_exists` (create on an existing stream, even a deleted
 *   one), `not_found` (missing, deleted, or another company's), `conflict` (expectedVersion is
 *   not the current version), `validation_failed` (with violations).
 */
export function decide(command: WebhookCommand, state: Webhook | undefined): WebhookEvent[] {
  if (command.type === 'CreateWebhook') {
    if (state !== undefined) {
      throw new WebhookDomainError('already_exists', `webhook ${command.webhookId} already exists`);
    }
    return decideCreate(command);
  }
  const webhook = existing(command, state);
  const base = { webhookId: webhook.id, company: webhook.company };
  switch (command.type) {
    case 'UpdateWebhook':
      return decideUpdate(command, webhook);
    case 'PauseWebhook':
      if (webhook.status === 'paused') return [];
      return [
        { type: 'WebhookPaused', schemaVersion: 1, data: { ...base, pausedAt: command.now } },
      ];
    case 'ActivateWebhook':
      if (webhook.status === 'active' || webhook.pausedReason === null) return [];
      return [
        {
          type: 'WebhookActivated',
          schemaVersion: 1,
          data: {
            ...base,
            previousPausedReason: webhook.pausedReason,
            failureStreakReset: true,
            activatedAt: command.now,
          },
        },
      ];
    case 'AutoPauseWebhook': {
      // Already paused (by hand or automatically): the worker's late report changes nothing.
      if (webhook.status === 'paused') return [];
      // Re-activated by hand after the failures were counted: that run was already dealt with.
      if (
        command.decidedAtVersion !== undefined &&
        webhook.activatedAtVersion !== undefined &&
        webhook.activatedAtVersion > command.decidedAtVersion
      )
        return [];
      const { consecutiveFailures } = command;
      if (!Number.isSafeInteger(consecutiveFailures) || consecutiveFailures < 1) {
        throw WebhookDomainError.validationFailed([
          violation(
            'consecutiveFailures',
            'out_of_range',
            'consecutiveFailures must be a positive integer',
          ),
        ]);
      }
      return [
        {
          type: 'WebhookAutoPaused',
          schemaVersion: 1,
          data: { ...base, reason: command.reason, consecutiveFailures, pausedAt: command.now },
        },
      ];
    }
    case 'RotateWebhookSecret':
      return decideRotate(command, webhook);
    case 'ResealWebhookSecrets':
      return decideReseal(command, webhook);
    case 'DeleteWebhook':
      return [
        { type: 'WebhookDeleted', schemaVersion: 1, data: { ...base, deletedAt: command.now } },
      ];
  }
}

function existing(command: WebhookCommand, state: Webhook | undefined): Webhook {
  // Another tenant's webhook answers exactly as a missing one, so ids cannot be probed.
  if (state === undefined || state.deleted || state.company !== command.company) {
    throw new WebhookDomainError('not_found', `webhook ${command.webhookId} not found`);
  }
  if (command.expectedVersion !== undefined && command.expectedVersion !== state.version) {
    throw new WebhookDomainError(
      'conflict',
      `webhook ${state.id} is at version ${state.version}, not ${command.expectedVersion}`,
    );
  }
  return state;
}

function decideCreate(command: CreateWebhook): WebhookEvent[] {
  const violations: FieldViolation[] = [];
  if (!isWebhookId(command.webhookId)) {
    violations.push(
      violation('webhookId', 'invalid_id', 'webhookId must be wh_ then 1–64 letters or digits'),
    );
  }
  const bodyTemplate = normaliseTemplate(command.bodyTemplate);
  checkWebhookFields(
    {
      name: command.name,
      url: command.url,
      type: command.webhookType,
      events: command.events,
      projectIds: command.projectIds,
      statusFilter: command.statusFilter,
      bodyTemplate,
    },
    sealedHeaderEntries(command.headers, violations),
    DECIDE_CHECKS,
    'create',
    violations,
  );
  if (command.secret !== null) checkSealed('secret', command.secret, violations);
  if (violations.length > 0) throw WebhookDomainError.validationFailed(violations);
  return withinQuotas(command, undefined, [
    {
      type: 'WebhookCreated',
      schemaVersion: 1,
      data: {
        webhookId: command.webhookId,
        company: command.company,
        name: command.name.trim(),
        url: command.url,
        type: command.webhookType,
        events: [...command.events],
        projectIds: [...command.projectIds],
        statusFilter: [...command.statusFilter],
        headers: command.headers.map(copyHeader),
        bodyTemplate,
        secret: command.secret === null ? null : { ...command.secret },
        createdAt: command.now,
      },
    },
  ]);
}

function decideUpdate(command: UpdateWebhook, webhook: Webhook): WebhookEvent[] {
  const changes: WebhookChanges = {};
  if (command.name !== undefined && command.name.trim() !== webhook.name) {
    changes.name = command.name.trim();
  }
  if (command.url !== undefined && command.url !== webhook.url) changes.url = command.url;
  if (command.webhookType !== undefined && command.webhookType !== webhook.type) {
    changes.type = command.webhookType;
  }
  if (command.events !== undefined && !sameSet(command.events, webhook.events)) {
    changes.events = [...command.events];
  }
  if (command.projectIds !== undefined && !sameSet(command.projectIds, webhook.projectIds)) {
    changes.projectIds = [...command.projectIds];
  }
  if (command.statusFilter !== undefined && !sameSet(command.statusFilter, webhook.statusFilter)) {
    changes.statusFilter = [...command.statusFilter];
  }
  if (command.headers !== undefined && !sameHeaders(command.headers, webhook.headers)) {
    changes.headers = command.headers.map(copyHeader);
  }
  if (command.bodyTemplate !== undefined) {
    const template = normaliseTemplate(command.bodyTemplate);
    if (template !== webhook.bodyTemplate) changes.bodyTemplate = template;
  }
  if (command.secret !== undefined) changes.secret = { ...command.secret };
  if (
    changes.url !== undefined &&
    command.keepSecretsAcrossOrigins !== true &&
    !sameOrigin(webhook.url, changes.url)
  ) {
    if (command.headers === undefined && webhook.headers.length > 0) changes.headers = [];
    if (command.secret === undefined && (webhook.secret !== null || webhook.previousSecret)) {
      changes.secret = null;
    }
  }
  if (Object.keys(changes).length === 0) return [];

  // The merged result must hold every rule: e.g. dropping issue.status_changed while a status
  // filter is set, or a template that no longer fits the effective events, is refused.
  const merged = { ...webhook, ...changes };
  const violations: FieldViolation[] = [];
  checkWebhookFields(
    {
      name: merged.name,
      url: merged.url,
      type: merged.type,
      events: merged.events,
      projectIds: merged.projectIds,
      statusFilter: merged.statusFilter,
      bodyTemplate: merged.bodyTemplate,
    },
    sealedHeaderEntries(merged.headers, violations),
    DECIDE_CHECKS,
    'create',
    violations,
  );
  if (changes.secret) checkSealed('secret', changes.secret, violations);
  if (violations.length > 0) throw WebhookDomainError.validationFailed(violations);
  return withinQuotas(command, webhook, [
    {
      type: 'WebhookUpdated',
      schemaVersion: 1,
      data: { webhookId: webhook.id, company: webhook.company, changes, updatedAt: command.now },
    },
  ]);
}

/** `events`, if the webhook they leave keeps within the command's quotas. */
function withinQuotas(
  command: CreateWebhook | UpdateWebhook,
  state: Webhook | undefined,
  events: WebhookEvent[],
): WebhookEvent[] {
  const after = events.reduce<Webhook | undefined>(evolve, state);
  if (after === undefined) return events;
  const violations = quotaViolations(after, command.quotas ?? DEFAULT_WEBHOOK_QUOTAS);
  if (violations.length > 0) throw WebhookDomainError.validationFailed(violations);
  return events;
}

function decideRotate(command: RotateWebhookSecret, webhook: Webhook): WebhookEvent[] {
  const grace = command.gracePeriodSeconds ?? DEFAULT_SECRET_GRACE_PERIOD_SECONDS;
  const violations: FieldViolation[] = [];
  if (!Number.isSafeInteger(grace) || grace < 0 || grace > MAX_SECRET_GRACE_PERIOD_SECONDS) {
    violations.push(
      violation(
        'gracePeriodSeconds',
        'out_of_range',
        `gracePeriodSeconds must be an integer from 0 to ${MAX_SECRET_GRACE_PERIOD_SECONDS}`,
      ),
    );
  }
  checkSealed('secret', command.secret, violations);
  if (violations.length > 0) throw WebhookDomainError.validationFailed(violations);
  const nowMs = Date.parse(command.now);
  if (Number.isNaN(nowMs)) {
    throw WebhookDomainError.validationFailed([
      violation('now', 'invalid_value', 'now must be an ISO-8601 timestamp'),
    ]);
  }
  // The replaced secret keeps signing; a secret older than that is dropped at once. No grace
  // (0 seconds) or no secret before: nothing is kept.
  const previousSecret =
    webhook.secret !== null && grace > 0
      ? { value: { ...webhook.secret }, validUntil: new Date(nowMs + grace * 1000).toISOString() }
      : null;
  return [
    {
      type: 'WebhookSecretRotated',
      schemaVersion: 1,
      data: {
        webhookId: webhook.id,
        company: webhook.company,
        secret: { ...command.secret },
        previousSecret,
        rotatedAt: command.now,
      },
    },
  ];
}

function decideReseal(command: ResealWebhookSecrets, webhook: Webhook): WebhookEvent[] {
  const violations: FieldViolation[] = [];
  const same = (field: string, given: SealedSecret | null, held: SealedSecret | null) => {
    if ((given === null) !== (held === null)) {
      violations.push(
        violation(
          field,
          'invalid_value',
          `${field} must be resealed as it is, not added or removed`,
        ),
      );
    } else if (given !== null) {
      checkSealed(field, given, violations);
    }
  };
  same('secret', command.secret, webhook.secret);
  same('previousSecret', command.previousSecret, webhook.previousSecret?.value ?? null);
  const names = command.headers.map((h) => h.name);
  if (names.join('\n') !== webhook.headers.map((h) => h.name).join('\n')) {
    violations.push(
      violation('headers', 'invalid_value', "headers must be the webhook's own, in its order"),
    );
  }
  for (const header of command.headers) {
    checkSealed(`headers.${header.name}`, header.value, violations);
  }
  if (violations.length > 0) throw WebhookDomainError.validationFailed(violations);
  const unchanged =
    sameSealed(command.secret, webhook.secret) &&
    sameSealed(command.previousSecret, webhook.previousSecret?.value ?? null) &&
    sameHeaders(command.headers, webhook.headers);
  if (unchanged) return [];
  return [
    {
      type: 'WebhookSecretsResealed',
      schemaVersion: 1,
      data: {
        webhookId: webhook.id,
        company: webhook.company,
        secret: command.secret === null ? null : { ...command.secret },
        previousSecret: command.previousSecret === null ? null : { ...command.previousSecret },
        headers: command.headers.map(copyHeader),
        resealedAt: command.now,
      },
    },
  ];
}

function sameSealed(a: SealedSecret | null, b: SealedSecret | null): boolean {
  if (a === null || b === null) return a === b;
  return a.alg === b.alg && a.keyId === b.keyId && a.ciphertext === b.ciphertext;
}

function sealedHeaderEntries(headers: unknown, violations: FieldViolation[]) {
  if (!Array.isArray(headers)) {
    violations.push(
      violation('headers', 'invalid_type', 'headers must be a list of sealed headers'),
    );
    return undefined;
  }
  return (headers as SealedHeader[]).map((header) => {
    checkSealed(`headers.${header.name}`, header.value, violations);
    return { name: header.name, value: null };
  });
}

function checkSealed(field: string, value: SealedSecret, violations: FieldViolation[]): void {
  const ok =
    typeof value === 'object' &&
    value !== null &&
    value.alg === 'A256GCM' &&
    typeof value.keyId === 'string' &&
    value.keyId.length > 0 &&
    typeof value.ciphertext === 'string' &&
    BASE64URL.test(value.ciphertext);
  if (!ok) {
    violations.push(
      violation(
        field,
        'invalid_sealed_secret',
        `${field} must be sealed ({ alg: 'A256GCM', keyId, ciphertext })`,
      ),
    );
  }
}

/**
 * Same scheme, host and port. A URL that does not parse has no origin: it is never the same
 * (the URL rule refuses it anyway).
 */
export function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/** A blank template means the default payload. */
function normaliseTemplate(template: string | null): string | null {
  return template === null || template.trim().length === 0 ? null : template;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(b);
  return a.every((x) => set.has(x));
}

function sameHeaders(a: readonly SealedHeader[], b: readonly SealedHeader[]): boolean {
  return (
    a.length === b.length &&
    a.every((h, i) => {
      const other = b[i];
      return (
        other !== undefined &&
        h.name === other.name &&
        h.value.alg === other.value.alg &&
        h.value.keyId === other.value.keyId &&
        h.value.ciphertext === other.value.ciphertext
      );
    })
  );
}

function copyHeader(header: SealedHeader): SealedHeader {
  return { name: header.name, value: { ...header.value } };
}
