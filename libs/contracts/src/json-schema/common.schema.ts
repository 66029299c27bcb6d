/**
 * Schema fragments and patterns shared by every contract. Patterns narrow a standard `format`
 * where Hookline needs one canonical spelling (receivers dedupe on `event_id` as a string, ids
 * are compared as strings), so a value has exactly one accepted form.
 */

export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** `2025-01-15T14:30:00.000Z`: what `Date.prototype.toISOString()` prints. */
export const UTC_TIMESTAMP_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$';
/** 8-4-4-4-12 hex; `format: uuid` alone would also accept the `urn:uuid:` form. */
export const UUID_PATTERN =
  '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
export const WEBHOOK_ID_PATTERN = '^wh_[A-Za-z0-9]{1,64}$';
export const DELIVERY_ID_PATTERN =
  '^dlv_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
export const HTTPS_URL_PATTERN = '^https://';
/** http too: for records of an operator who allowed http endpoints (HOOKLINE_ALLOW_HTTP). */
export const HTTP_OR_HTTPS_URL_PATTERN = '^https?://';
/** An HTTP header field name (RFC 9110 token). */
export const HEADER_NAME_PATTERN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";
export const BASE64URL_PATTERN = '^[A-Za-z0-9_-]+$';

/** Readable text for pattern violations, keyed by pattern source. */
export const PATTERN_DESCRIPTIONS: Readonly<Record<string, string>> = {
  [UTC_TIMESTAMP_PATTERN]:
    'must be a UTC ISO-8601 timestamp with milliseconds, e.g. 2025-01-15T14:30:00.000Z',
  [UUID_PATTERN]:
    'must be a UUID (8-4-4-4-12 hex digits), e.g. 550e8400-e29b-41d4-a716-446655440000',
  [WEBHOOK_ID_PATTERN]: 'must be a webhook id: "wh_" then 1 to 64 letters or digits',
  [DELIVERY_ID_PATTERN]: 'must be a delivery id: "dlv_" then a lowercase UUID',
  [HTTPS_URL_PATTERN]: 'must be an https:// URL',
  [HTTP_OR_HTTPS_URL_PATTERN]: 'must be an http:// or https:// URL',
  [HEADER_NAME_PATTERN]: "must be an HTTP header name (letters, digits and !#$%&'*+.^_`|~-)",
  [BASE64URL_PATTERN]: 'must be base64url text without padding',
};

export const NON_EMPTY_STRING_SCHEMA = { type: 'string', minLength: 1 } as const;

export const UUID_SCHEMA = { type: 'string', format: 'uuid', pattern: UUID_PATTERN } as const;

/** A timestamp Hookline itself writes: always UTC with milliseconds. */
export const UTC_TIMESTAMP_SCHEMA = {
  type: 'string',
  format: 'date-time',
  pattern: UTC_TIMESTAMP_PATTERN,
} as const;

/** A timestamp a producer writes inside `data`: any RFC 3339 date-time (offset allowed). */
export const DATE_TIME_SCHEMA = { type: 'string', format: 'date-time' } as const;

export const WEBHOOK_ID_SCHEMA = { type: 'string', pattern: WEBHOOK_ID_PATTERN } as const;

export const DELIVERY_ID_SCHEMA = { type: 'string', pattern: DELIVERY_ID_PATTERN } as const;
