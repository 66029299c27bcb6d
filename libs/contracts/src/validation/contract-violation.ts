import type { ErrorObject } from 'ajv';
import { PATTERN_DESCRIPTIONS } from '../json-schema/common.schema';

/**
 * One reason a value breaks a contract.
 *
 * - `path`: JSON Pointer to the offending value (`/data/project/id`); for a missing or unknown
 *   property it points at the property itself, not at its parent. `''` is the whole message.
 * - `rule`: the JSON Schema keyword that failed (`required`, `type`, `format`, `pattern`, `enum`,
 *   `minLength`, ...) or one of the lib's own: `encoding` (bytes are not UTF-8), `json` (text is
 *   not JSON), `consistency` (two fields of one message disagree).
 * - `message`: a readable sentence that starts with the path (`message` for the root).
 */
export interface ContractViolation {
  readonly path: string;
  readonly rule: string;
  readonly message: string;
}

/** Outcome of validating or parsing a message: the typed value, or every violation found. */
export type ValidationResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errors: readonly ContractViolation[] };

/** Thrown where the caller cannot handle a result (builders, id helpers): a programming error. */
export class ContractValidationError extends Error {
  /** Stable code for error mapping. */
  readonly code = 'CONTRACT_VALIDATION_FAILED';

  constructor(
    context: string,
    readonly errors: readonly ContractViolation[],
  ) {
    super(`${context}: ${describeViolations(errors)}`);
    this.name = 'ContractValidationError';
  }
}

/** One line summarising violations, e.g. for a dead-letter reason or a log field. */
export function describeViolations(errors: readonly ContractViolation[]): string {
  return errors.map((error) => error.message).join('; ');
}

export function violation(path: string, rule: string, text: string): ContractViolation {
  return { path, rule, message: `${path === '' ? 'message' : path} ${text}` };
}

/** Maps Ajv errors to violations; `prefix` is the JSON Pointer of the validated sub-document. */
export function toViolations(
  errors: readonly ErrorObject[] | null | undefined,
  prefix = '',
): ContractViolation[] {
  const violations: ContractViolation[] = [];
  for (const error of errors ?? []) {
    // An `if` failure only says "the then-branch failed"; the branch's own errors follow it.
    if (error.keyword === 'if') continue;
    const base = prefix + error.instancePath;
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case 'required':
        violations.push(
          violation(
            `${base}/${pointerToken(String(params['missingProperty']))}`,
            'required',
            'is required',
          ),
        );
        break;
      case 'additionalProperties':
        violations.push(
          violation(
            `${base}/${pointerToken(String(params['additionalProperty']))}`,
            'additionalProperties',
            'is not an allowed property',
          ),
        );
        break;
      case 'type': {
        const types = params['type'];
        const expected = Array.isArray(types) ? types.join(' or ') : String(types);
        violations.push(violation(base, 'type', `must be ${expected}`));
        break;
      }
      case 'enum': {
        const allowed = params['allowedValues'];
        const list = Array.isArray(allowed) ? allowed.map((v) => JSON.stringify(v)).join(', ') : '';
        violations.push(violation(base, 'enum', `must be one of ${list}`));
        break;
      }
      case 'const':
        violations.push(
          violation(base, 'const', `must be ${JSON.stringify(params['allowedValue'])}`),
        );
        break;
      case 'format':
        violations.push(violation(base, 'format', `must be a valid ${String(params['format'])}`));
        break;
      case 'pattern': {
        const pattern = String(params['pattern']);
        violations.push(
          violation(base, 'pattern', PATTERN_DESCRIPTIONS[pattern] ?? `must match ${pattern}`),
        );
        break;
      }
      default:
        violations.push(violation(base, error.keyword, error.message ?? 'is invalid'));
    }
  }
  return violations;
}

function pointerToken(property: string): string {
  return property.replace(/~/g, '~0').replace(/\//g, '~1');
}
