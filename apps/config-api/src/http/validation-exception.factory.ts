import { BadRequestException } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import type { ApiErrorBody, FieldViolationBody } from './api-error';

/** class-validator constraint names mapped to the API's stable rule codes. */
const RULES: Record<string, string> = {
  whitelistValidation: 'unknown_field',
  isDefined: 'required',
  isNotEmpty: 'empty',
  maxLength: 'max_length',
  minLength: 'min_length',
  isIn: 'invalid_value',
  isEnum: 'invalid_value',
  min: 'out_of_range',
  max: 'out_of_range',
};

function flatten(errors: readonly ValidationError[], parent = ''): FieldViolationBody[] {
  return errors.flatMap((error) => {
    const field = parent
      ? /^\d+$/.test(error.property)
        ? `${parent}[${error.property}]`
        : `${parent}.${error.property}`
      : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
      field,
      rule: RULES[constraint] ?? (constraint.startsWith('is') ? 'invalid_type' : constraint),
      message,
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Turns DTO validation failures into the API's 400 body, one violation per field and rule. */
export function validationExceptionFactory(errors: ValidationError[]): BadRequestException {
  return badRequest(flatten(errors));
}

/**
 * A 400: the request does not match the operation's schema (the DTOs the document is generated
 * from). A request that matches it but breaks a rule of the domain is a 422 instead.
 */
export function badRequest(violations: FieldViolationBody[]): BadRequestException {
  const body: ApiErrorBody = {
    statusCode: 400,
    error: 'validation_failed',
    message: violations.map((v) => `${v.field}: ${v.message}`).join('; '),
    violations,
  };
  return new BadRequestException(body);
}
