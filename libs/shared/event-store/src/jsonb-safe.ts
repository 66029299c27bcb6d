/**
 * Text PostgreSQL's jsonb refuses: the NUL character (`\u0000` cannot be converted to text) and
 * UTF-16 surrogates without their pair (not valid Unicode). A response body, a header or a payload
 * from outside may hold either.
 */
// eslint-disable-next-line no-control-regex -- NUL is one of the characters jsonb refuses
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The same pattern without the global flag, so testing a string leaves no state behind. */
const HAS_UNSTORABLE = new RegExp(UNSTORABLE.source);

const escape = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** `text` with each character jsonb refuses written out as its `\uXXXX` escape, as visible text. */
export function jsonbSafeText(text: string): string {
  return text.replace(UNSTORABLE, escape);
}

/**
 * `value` (parsed JSON) with every string and key made storable in jsonb: stored escaped, never
 * an error that fails the transaction (and, for a delivery, repeats the call). Returns `value`
 * itself when nothing needed escaping.
 */
export function jsonbSafe<T>(value: T): T {
  return (needsEscaping(value) ? rewrite(value) : value) as T;
}

function needsEscaping(value: unknown): boolean {
  if (typeof value === 'string') return HAS_UNSTORABLE.test(value);
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(needsEscaping);
  // Every event of every finish passes here: walked without the pairs `Object.entries` builds.
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    if (needsEscaping(key) || needsEscaping(record[key])) return true;
  }
  return false;
}

function rewrite(value: unknown): unknown {
  if (typeof value === 'string') return jsonbSafeText(value);
  if (Array.isArray(value)) return value.map(rewrite);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [jsonbSafeText(key), rewrite(item)]),
    );
  return value;
}
