/**
 * One broken rule of one input field. `field` names the field as the client sent it
 * (`url`, `events[2]`, `headers.X-Api-Key`); `rule` is a stable code clients may branch on;
 * `message` is a sentence for people.
 */
export interface FieldViolation {
  field: string;
  rule: FieldRule;
  message: string;
  /** For `invalid_template`: the templating lib's error, so the UI can point at the place. */
  templateError?: TemplateErrorDetail;
}

export interface TemplateErrorDetail {
  code: string;
  line?: number;
  column?: number;
  sampleIndex?: number;
}

/** Stable rule codes of {@link FieldViolation}. Never renamed once released. */
export const FIELD_RULES = [
  'required',
  'unknown_field',
  'invalid_type',
  'empty',
  'min_length',
  'max_length',
  'https_required',
  'invalid_url',
  'missing_host',
  'credentials_not_allowed',
  'invalid_value',
  'not_in_catalog',
  'duplicate',
  'requires_event',
  'too_many',
  'invalid_token',
  'invalid_characters',
  'forbidden_header',
  'invalid_template',
  'invalid_sealed_secret',
  'out_of_range',
  'invalid_id',
  'too_large',
] as const;

export type FieldRule = (typeof FIELD_RULES)[number];

/** Stable codes of {@link WebhookDomainError}; the API maps each to one HTTP status. */
export const WEBHOOK_DOMAIN_ERROR_CODES = [
  'validation_failed',
  'not_found',
  'already_exists',
  'conflict',
  'invalid_state',
  'quota_exceeded',
] as const;

export type WebhookDomainErrorCode = (typeof WEBHOOK_DOMAIN_ERROR_CODES)[number];

/**
 * What `decide` throws when a command may not run. `validation_failed` carries `violations`;
 * `not_found` is also used for another tenant's webhook, so a tenant cannot probe ids.
 */
export class WebhookDomainError extends Error {
  override readonly name = 'WebhookDomainError';

  constructor(
    readonly code: WebhookDomainErrorCode,
    message: string,
    readonly violations?: FieldViolation[],
  ) {
    super(message);
  }

  static validationFailed(violations: FieldViolation[]): WebhookDomainError {
    const summary = violations.map((v) => `${v.field}: ${v.message}`).join('; ');
    return new WebhookDomainError('validation_failed', `invalid webhook: ${summary}`, violations);
  }
}
