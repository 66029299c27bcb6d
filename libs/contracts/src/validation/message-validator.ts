import { ajv } from './ajv';
import { toViolations, type ContractViolation, type ValidationResult } from './contract-violation';
import { parseWith } from './decode-json';

export interface MessageValidator<T> {
  /** Validates an already-parsed value. Never throws. */
  readonly validate: (value: unknown) => ValidationResult<T>;
  /** Decodes bytes (strict UTF-8) or JSON text, or takes a parsed value, then validates. */
  readonly parse: (raw: unknown) => ValidationResult<T>;
}

/**
 * Compiles `schema` now (once) and returns its validate/parse pair. `crossChecks` runs on a value
 * that passed the schema, for rules JSON Schema cannot state (one field agreeing with another).
 */
export function compileMessageValidator<T>(
  schema: object,
  crossChecks: (value: T) => ContractViolation[] = () => [],
): MessageValidator<T> {
  const check = ajv.compile<T>(schema);
  const validate = (value: unknown): ValidationResult<T> => {
    if (!check(value)) return { ok: false, errors: toViolations(check.errors) };
    const errors = crossChecks(value);
    return errors.length === 0 ? { ok: true, value } : { ok: false, errors };
  };
  return { validate, parse: parseWith(validate) };
}
