import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/**
 * The lib's single Ajv instance (JSON Schema draft 2020-12). Every schema is compiled on it once,
 * when its module loads, so a broken schema fails at process start rather than on the first
 * message, and the hot path (one validation per Kafka message) never compiles.
 *
 * - `allErrors`: a rejected message lists every problem, not just the first.
 * - `strict`: unknown keywords or contradictory types in our schemas are compile errors.
 * - `allowUnionTypes`: nullable fields are written `type: ['string', 'null']`, which stays
 *   plain JSON Schema for anyone reading the published catalog (no Ajv-only `nullable`).
 */
export const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv, ['date-time', 'uuid', 'email', 'uri']);
