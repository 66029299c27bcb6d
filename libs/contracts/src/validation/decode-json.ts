import { violation, type ValidationResult } from './contract-violation';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Turns a Kafka message value into a JSON value: bytes are decoded as strict UTF-8 (a leading BOM
 * is dropped), text is parsed as JSON, anything else is taken as an already-parsed value.
 * Never throws.
 */
export function decodeJson(raw: unknown): ValidationResult<unknown> {
  let text: string;
  if (raw instanceof Uint8Array) {
    try {
      text = utf8.decode(raw);
    } catch {
      return { ok: false, errors: [violation('', 'encoding', 'is not valid UTF-8 text')] };
    }
  } else if (typeof raw === 'string') {
    text = raw;
  } else {
    return { ok: true, value: raw };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, errors: [violation('', 'json', `is not valid JSON (${reason})`)] };
  }
}

/** Compiles-once helper: parse (bytes, text or value) then validate. */
export function parseWith<T>(
  validate: (value: unknown) => ValidationResult<T>,
): (raw: unknown) => ValidationResult<T> {
  return (raw) => {
    const decoded = decodeJson(raw);
    return decoded.ok ? validate(decoded.value) : decoded;
  };
}
