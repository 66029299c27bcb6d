import {
  CUSTOM_HEADER_LIMITS,
  customHeaderNameProblem,
  customHeaderValueProblem,
  EVENT_TYPES,
  ISSUE_STATUSES,
  SAMPLE_ENVELOPES,
  WEBHOOK_TYPES,
  isEventType,
  isIssueStatus,
  type EventType,
} from '@hookline/contracts';
import { validateTemplate, type TemplateValidationIssue } from '@hookline/shared-templating';
import type { FieldRule, FieldViolation } from './webhook.error';

/**
 * A webhook's fields as a client sends them, values in clear (before header values are
 * sealed). Typed loosely on purpose: it is checked here, so it may come straight from JSON.
 */
export interface WebhookInput {
  name?: string;
  url?: string;
  type?: string;
  events?: string[];
  projectIds?: string[];
  statusFilter?: string[];
  headers?: Record<string, string>;
  /** `null` or a blank string means the default payload. */
  bodyTemplate?: string | null;
}

export interface WebhookInputOptions {
  /** The HOOKLINE_ALLOW_HTTP setting (off by default): accept `http://` URLs too. */
  allowHttp: boolean;
  /** The vendor name of `X-<Vendor>-*` headers, e.g. `Corgea`; custom headers may not use it. */
  vendor: string;
}

export type WebhookInputMode = 'create' | 'update';

export const WEBHOOK_LIMITS = {
  nameMaxLength: 200,
  urlMaxLength: 2048,
  headerValueMaxBytes: CUSTOM_HEADER_LIMITS.valueMaxBytes,
  maxProjectIds: 1000,
  projectIdMaxLength: 200,
} as const;

/** The status filter only makes sense for this event type. */
export const STATUS_FILTER_EVENT: EventType = 'issue.status_changed';

/** Every field of {@link WebhookInput}; anything else in a request is `unknown_field`. */
export const WEBHOOK_INPUT_FIELDS = [
  'name',
  'url',
  'type',
  'events',
  'projectIds',
  'statusFilter',
  'headers',
  'bodyTemplate',
] as const satisfies ReadonlyArray<keyof WebhookInput>;
const INPUT_FIELDS: readonly string[] = WEBHOOK_INPUT_FIELDS;
const REQUIRED_ON_CREATE: readonly string[] = ['name', 'url', 'type', 'events'];

/** One custom header as checked: `value` is null when it is already sealed (decide's view). */
export interface HeaderEntry {
  name: string;
  value: string | null;
}

/** Options of the shared checks; decide passes `vendor: null` (it does not know the setting). */
export interface FieldCheckOptions {
  allowHttp: boolean;
  vendor: string | null;
}

/**
 * Checks a webhook's fields before they are sealed and turned into a command. Returns every
 * violation (empty = valid), each naming the field and a stable rule code.
 *
 * - `create`: name, url, type and events are required; projectIds, statusFilter and headers
 *   default to empty and bodyTemplate to none.
 * - `update`: only the fields present are checked (a field set to `undefined` is absent).
 *   Rules that need the stored webhook (a status filter with events that lack
 *   `issue.status_changed`, a template against the effective events) are checked again on the
 *   merged result by `decide`; here a template without `events` is checked against every
 *   catalog sample (syntax, placeholders, JSON shape).
 */
export function validateWebhookInput(
  input: WebhookInput,
  options: WebhookInputOptions,
  mode: WebhookInputMode,
): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [violation('body', 'invalid_type', 'body must be a JSON object')];
  }
  const headers = has(input, 'headers') ? headerEntries(input.headers, violations) : undefined;
  checkWebhookFields(input, headers, options, mode, violations);
  return violations;
}

/**
 * The checks shared by `validateWebhookInput` and `decide`. Appends to `violations`.
 * @internal
 */
export function checkWebhookFields(
  input: Omit<WebhookInput, 'headers'>,
  headers: HeaderEntry[] | undefined,
  options: FieldCheckOptions,
  mode: WebhookInputMode,
  violations: FieldViolation[],
): void {
  for (const key of Object.keys(input)) {
    if (!INPUT_FIELDS.includes(key)) {
      violations.push(violation(key, 'unknown_field', `${key} is not a webhook field`));
    }
  }
  if (mode === 'create') {
    for (const key of REQUIRED_ON_CREATE) {
      if (!has(input, key)) violations.push(violation(key, 'required', `${key} is required`));
    }
  }
  if (has(input, 'name')) checkName(input.name, violations);
  if (has(input, 'url')) checkUrl(input.url, options.allowHttp, violations);
  if (has(input, 'type')) checkType(input.type, violations);
  const events = has(input, 'events') ? checkEvents(input.events, violations) : undefined;
  const statusFilter = has(input, 'statusFilter')
    ? checkStatusFilter(input.statusFilter, violations)
    : undefined;
  if (has(input, 'projectIds')) checkProjectIds(input.projectIds, violations);
  if (headers !== undefined) checkHeaders(headers, options.vendor, violations);

  if (statusFilter !== undefined && statusFilter.length > 0 && events !== undefined) {
    if (!events.includes(STATUS_FILTER_EVENT)) {
      violations.push(
        violation(
          'statusFilter',
          'requires_event',
          `statusFilter applies to ${STATUS_FILTER_EVENT} only: subscribe to it, or leave statusFilter empty`,
        ),
      );
    }
  }
  if (has(input, 'bodyTemplate')) {
    checkBodyTemplate(input.bodyTemplate, events, violations);
  }
}

function checkName(name: unknown, violations: FieldViolation[]): void {
  if (typeof name !== 'string') {
    violations.push(violation('name', 'invalid_type', 'name must be a string'));
  } else if (name.trim().length === 0) {
    violations.push(violation('name', 'empty', 'name must not be blank'));
  } else if (name.trim().length > WEBHOOK_LIMITS.nameMaxLength) {
    violations.push(
      violation(
        'name',
        'max_length',
        `name must be at most ${WEBHOOK_LIMITS.nameMaxLength} characters`,
      ),
    );
  }
}

function checkUrl(url: unknown, allowHttp: boolean, violations: FieldViolation[]): void {
  if (typeof url !== 'string') {
    violations.push(violation('url', 'invalid_type', 'url must be a string'));
    return;
  }
  if (url.length > WEBHOOK_LIMITS.urlMaxLength) {
    violations.push(
      violation(
        'url',
        'max_length',
        `url must be at most ${WEBHOOK_LIMITS.urlMaxLength} characters`,
      ),
    );
    return;
  }
  const schemeRule = allowHttp
    ? 'url must start with https:// or http://'
    : 'url must use https://';
  let parsed: URL;
  try {
    // The URL parser trims spaces silently; a URL that needs trimming is rejected instead.
    if (url.trim() !== url || url.length === 0) throw new TypeError('untrimmed');
    parsed = new URL(url);
  } catch {
    violations.push(violation('url', 'invalid_url', `url is not a valid URL (${schemeRule})`));
    return;
  }
  const scheme = parsed.protocol;
  if (!(scheme === 'https:' || (allowHttp && scheme === 'http:'))) {
    violations.push(violation('url', 'https_required', schemeRule));
    return;
  }
  if (parsed.hostname.length === 0) {
    violations.push(violation('url', 'missing_host', 'url must name a host'));
  }
  if (parsed.username.length > 0 || parsed.password.length > 0) {
    violations.push(
      violation(
        'url',
        'credentials_not_allowed',
        'url must not contain a user name or password; use a custom header such as Authorization',
      ),
    );
  }
}

function checkType(type: unknown, violations: FieldViolation[]): void {
  if (typeof type !== 'string' || !(WEBHOOK_TYPES as readonly string[]).includes(type)) {
    violations.push(
      violation('type', 'invalid_value', `type must be one of ${WEBHOOK_TYPES.join(', ')}`),
    );
  }
}

/** Returns the valid event types given (for the cross-field rules), or undefined if unusable. */
function checkEvents(events: unknown, violations: FieldViolation[]): EventType[] | undefined {
  if (!Array.isArray(events)) {
    violations.push(violation('events', 'invalid_type', 'events must be an array of event types'));
    return undefined;
  }
  if (events.length === 0) {
    violations.push(violation('events', 'empty', 'events must name at least one event type'));
    return [];
  }
  const valid: EventType[] = [];
  const seen = new Set<unknown>();
  events.forEach((event: unknown, i) => {
    const field = `events[${i}]`;
    if (!isEventType(event)) {
      violations.push(
        violation(
          field,
          'not_in_catalog',
          `${field} ${JSON.stringify(event)} is not an event type; one of ${EVENT_TYPES.join(', ')}`,
        ),
      );
    } else if (seen.has(event)) {
      violations.push(violation(field, 'duplicate', `${field} ${event} is listed twice`));
    } else {
      valid.push(event);
    }
    seen.add(event);
  });
  return valid;
}

function checkStatusFilter(filter: unknown, violations: FieldViolation[]): string[] | undefined {
  if (!Array.isArray(filter)) {
    violations.push(
      violation('statusFilter', 'invalid_type', 'statusFilter must be an array of issue statuses'),
    );
    return undefined;
  }
  const seen = new Set<unknown>();
  filter.forEach((status: unknown, i) => {
    const field = `statusFilter[${i}]`;
    if (!isIssueStatus(status)) {
      violations.push(
        violation(
          field,
          'not_in_catalog',
          `${field} ${JSON.stringify(status)} is not an issue status; one of ${ISSUE_STATUSES.join(', ')}`,
        ),
      );
    } else if (seen.has(status)) {
      violations.push(violation(field, 'duplicate', `${field} ${status} is listed twice`));
    }
    seen.add(status);
  });
  return filter.filter((s): s is string => typeof s === 'string');
}

function checkProjectIds(ids: unknown, violations: FieldViolation[]): void {
  if (!Array.isArray(ids)) {
    violations.push(
      violation('projectIds', 'invalid_type', 'projectIds must be an array of strings'),
    );
    return;
  }
  if (ids.length > WEBHOOK_LIMITS.maxProjectIds) {
    violations.push(
      violation(
        'projectIds',
        'too_many',
        `projectIds may list at most ${WEBHOOK_LIMITS.maxProjectIds} projects`,
      ),
    );
  }
  const seen = new Set<string>();
  ids.forEach((id: unknown, i) => {
    const field = `projectIds[${i}]`;
    if (typeof id !== 'string') {
      violations.push(violation(field, 'invalid_type', `${field} must be a string`));
    } else if (id.trim().length === 0) {
      violations.push(violation(field, 'empty', `${field} must not be blank`));
    } else if (id.length > WEBHOOK_LIMITS.projectIdMaxLength) {
      violations.push(
        violation(
          field,
          'max_length',
          `${field} must be at most ${WEBHOOK_LIMITS.projectIdMaxLength} characters`,
        ),
      );
    } else if (seen.has(id)) {
      violations.push(violation(field, 'duplicate', `${field} ${id} is listed twice`));
    }
    if (typeof id === 'string') seen.add(id);
  });
}

/** Turns the client's header object into entries, reporting values that are not strings. */
function headerEntries(headers: unknown, violations: FieldViolation[]): HeaderEntry[] | undefined {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    violations.push(
      violation('headers', 'invalid_type', 'headers must be an object of header names to values'),
    );
    return undefined;
  }
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (typeof value !== 'string') {
      violations.push(
        violation(`headers.${name}`, 'invalid_type', `headers.${name} must be a string`),
      );
      continue;
    }
    entries.push({ name, value });
  }
  return entries;
}

function checkHeaders(
  headers: readonly HeaderEntry[],
  vendor: string | null,
  violations: FieldViolation[],
): void {
  // How many: a quota of the deployment, checked by decide on the resulting webhook.
  const seen = new Set<string>();
  for (const { name, value } of headers) {
    const field = `headers.${name}`;
    const lower = name.toLowerCase();
    const nameProblem = customHeaderNameProblem(name, vendor);
    if (nameProblem !== undefined) {
      violations.push(violation(field, nameProblem.rule, nameProblem.message));
    } else if (seen.has(lower)) {
      violations.push(
        violation(field, 'duplicate', `${name} is given twice (header names ignore case)`),
      );
    }
    seen.add(lower);
    if (value === null) continue;
    const valueProblem = customHeaderValueProblem(name, value);
    if (valueProblem !== undefined) {
      violations.push(violation(field, valueProblem.rule, valueProblem.message));
    }
  }
}

function checkBodyTemplate(
  template: unknown,
  events: readonly EventType[] | undefined,
  violations: FieldViolation[],
): void {
  if (template === null) return;
  if (typeof template !== 'string') {
    violations.push(
      violation('bodyTemplate', 'invalid_type', 'bodyTemplate must be a string or null'),
    );
    return;
  }
  if (template.trim().length === 0) return;
  // Without usable events (update without events, or invalid ones) the whole catalog stands in.
  const types = events !== undefined && events.length > 0 ? events : EVENT_TYPES;
  const samples = types.map((type) => SAMPLE_ENVELOPES[type]);
  for (const issue of validateTemplate(template, samples)) {
    violations.push(templateViolation(issue));
  }
}

function templateViolation(issue: TemplateValidationIssue): FieldViolation {
  const at = issue.line !== undefined ? ` (line ${issue.line}, column ${issue.column ?? 0})` : '';
  const message = issue.message.includes('(line ') ? issue.message : `${issue.message}${at}`;
  return {
    field: 'bodyTemplate',
    rule: 'invalid_template',
    message: `bodyTemplate: ${message}`,
    templateError: {
      code: issue.code,
      ...(issue.line !== undefined ? { line: issue.line } : {}),
      ...(issue.column !== undefined ? { column: issue.column } : {}),
      ...(issue.sampleIndex !== undefined ? { sampleIndex: issue.sampleIndex } : {}),
    },
  };
}

/** True when the key is present with a value other than undefined. */
function has<T extends object>(input: T, key: string): boolean {
  return (
    Object.prototype.hasOwnProperty.call(input, key) &&
    (input as Record<string, unknown>)[key] !== undefined
  );
}

export function violation(field: string, rule: FieldRule, message: string): FieldViolation {
  return { field, rule, message };
}
