import { ValidateIf } from 'class-validator';

/**
 * The field may be left out, but not sent as `null`: the document gives its type, not nullable,
 * so a `null` is checked (and refused, 400) like any other wrong type. class-validator's
 * `IsOptional` would let `null` through to the handlers.
 */
export const Optional = (): PropertyDecorator =>
  ValidateIf((_object: object, value: unknown) => value !== undefined);
