// The only two ways a value reaches a rendered body. Both go through JSON.stringify, which
// escapes quotes, backslashes and U+0000–U+001F and (since ES2019) writes lone surrogates as
// \uXXXX escapes, so its output is always well-formed JSON in well-formed UTF-16. U+2028 and
// U+2029 are legal in JSON but end a line in pre-ES2019 JavaScript; receivers that paste bodies
// into script have broken on them, so they are escaped as well.

const LINE_SEPARATORS = /[\u2028\u2029]/g;

function escapeLineSeparators(json: string): string {
  return json.replace(LINE_SEPARATORS, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029'));
}

function quote(text: string): string {
  return escapeLineSeparators(JSON.stringify(text));
}

/**
 * A value in value position (`"x": {{path}}`): exactly one JSON value. Strings are quoted,
 * objects and arrays serialised, and anything JSON has no word for (missing, undefined,
 * functions, NaN, Infinity) is `null`.
 */
export function toJsonValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      const json = JSON.stringify(value) as string | undefined;
      return json === undefined ? 'null' : escapeLineSeparators(json);
    }
    default:
      // undefined, functions, symbols; bigint throws in JSON.stringify, as it should.
      if (typeof value === 'bigint') JSON.stringify(value);
      return 'null';
  }
}

/**
 * A value inside a JSON string literal (`"text": "Scan {{path}} done"`): the escaped characters
 * of its text, without the surrounding quotes. Strings are their own text, numbers and booleans
 * their JSON spelling, objects and arrays their JSON text, and missing or null values nothing.
 */
export function toJsonStringContent(value: unknown): string {
  let text: string;
  switch (typeof value) {
    case 'string':
      text = value;
      break;
    case 'number':
    case 'boolean':
      text = String(value);
      break;
    case 'object': {
      if (value === null) return '';
      const json = JSON.stringify(value) as string | undefined;
      if (json === undefined) return '';
      text = json;
      break;
    }
    default:
      if (typeof value === 'bigint') JSON.stringify(value);
      return '';
  }
  const quoted = quote(text);
  return quoted.slice(1, quoted.length - 1);
}
