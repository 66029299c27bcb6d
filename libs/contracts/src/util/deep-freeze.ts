/**
 * Freezes a JSON-like value in place, all the way down, and returns it. Schemas and samples are
 * shared module-level values: a consumer that mutated one would silently change what every other
 * caller validates against or sends.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) {
      deepFreeze((value as Record<string, unknown>)[key]);
    }
  }
  return value;
}
