/**
 * Where a text first stops being valid JSON (RFC 8259, exactly what `JSON.parse` accepts).
 *
 * `JSON.parse` on Node 20 often omits the position from its message ("Unexpected token '}', ...
 * is not valid JSON"), and the delivery history needs to say where a rendered body broke. This
 * checker runs only after a parse has already failed, so it favours clear reasons over speed.
 * It is iterative: a deeply nested body cannot overflow the stack.
 */
export interface JsonSyntaxError {
  /** Zero-based UTF-16 offset of the offending character (the text length at end of input). */
  readonly offset: number;
  /** One-based line. */
  readonly line: number;
  /** One-based column, in UTF-16 code units. */
  readonly column: number;
  readonly reason: string;
}

type Expect = 'value' | 'valueOrClose' | 'key' | 'keyOrClose' | 'colon' | 'afterValue';

const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d; // }
const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

class Failure {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}

/** Returns undefined when `text` is valid JSON, else the first error and its position. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const failure = scan(text);
  if (failure === undefined) return undefined;
  const { line, column } = lineAndColumn(text, failure.offset);
  return { offset: failure.offset, line, column, reason: failure.reason };
}

/** A short, JSON-quoted excerpt of `text` around `offset`, safe to put in a message. */
export function excerptAround(text: string, offset: number, radius = 20): string {
  const start = Math.max(0, offset - radius);
  const end = Math.min(text.length, offset + radius);
  const before = start > 0 ? '…' : '';
  const after = end < text.length ? '…' : '';
  return JSON.stringify(before + text.slice(start, end) + after);
}

function scan(text: string): Failure | undefined {
  const stack: number[] = [];
  let expect: Expect = 'value';
  let i = 0;
  const length = text.length;

  for (;;) {
    i = skipWhitespace(text, i);
    if (i >= length) {
      if (expect === 'afterValue' && stack.length === 0) return undefined;
      return new Failure(length, `unexpected end of input, ${describe(expect, stack)}`);
    }
    const c = text.charCodeAt(i);

    switch (expect) {
      case 'value':
      case 'valueOrClose': {
        if (expect === 'valueOrClose' && c === CLOSE_ARRAY) {
          stack.pop();
          expect = 'afterValue';
          i += 1;
          break;
        }
        if (c === OPEN_OBJECT) {
          stack.push(OPEN_OBJECT);
          expect = 'keyOrClose';
          i += 1;
          break;
        }
        if (c === OPEN_ARRAY) {
          stack.push(OPEN_ARRAY);
          expect = 'valueOrClose';
          i += 1;
          break;
        }
        const end = scanScalar(text, i);
        if (end instanceof Failure) return end;
        i = end;
        expect = 'afterValue';
        break;
      }
      case 'key':
      case 'keyOrClose': {
        if (expect === 'keyOrClose' && c === CLOSE_OBJECT) {
          stack.pop();
          expect = 'afterValue';
          i += 1;
          break;
        }
        if (c !== QUOTE) {
          return new Failure(i, `unexpected ${describeChar(text, i)}, ${describe(expect, stack)}`);
        }
        const end = scanString(text, i);
        if (end instanceof Failure) return end;
        i = end;
        expect = 'colon';
        break;
      }
      case 'colon': {
        if (c !== 0x3a) {
          return new Failure(i, `unexpected ${describeChar(text, i)}, ${describe(expect, stack)}`);
        }
        i += 1;
        expect = 'value';
        break;
      }
      case 'afterValue': {
        const top = stack[stack.length - 1];
        if (top === undefined) {
          return new Failure(
            i,
            `unexpected ${describeChar(text, i)} after the end of the JSON value`,
          );
        }
        if (c === 0x2c) {
          expect = top === OPEN_OBJECT ? 'key' : 'value';
          i += 1;
        } else if (c === (top === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY)) {
          stack.pop();
          i += 1;
        } else {
          return new Failure(i, `unexpected ${describeChar(text, i)}, ${describe(expect, stack)}`);
        }
        break;
      }
    }
  }
}

function skipWhitespace(text: string, from: number): number {
  let i = from;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i += 1;
    else return i;
  }
}

function scanScalar(text: string, i: number): number | Failure {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return scanString(text, i);
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return scanNumber(text, i);
  for (const literal of ['true', 'false', 'null']) {
    if (c === literal.charCodeAt(0)) {
      for (let k = 1; k < literal.length; k += 1) {
        if (text.charCodeAt(i + k) !== literal.charCodeAt(k)) {
          return new Failure(
            i + k,
            `unexpected ${describeChar(text, i + k)} in literal ${literal}`,
          );
        }
      }
      return i + literal.length;
    }
  }
  return new Failure(i, `unexpected ${describeChar(text, i)}, expected a JSON value`);
}

function scanString(text: string, start: number): number | Failure {
  let i = start + 1;
  for (;;) {
    if (i >= text.length) return new Failure(text.length, 'unterminated string');
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c < 0x20) {
      return new Failure(i, `unescaped control character ${codePoint(c)} in string`);
    }
    if (c === BACKSLASH) {
      const e = text.charCodeAt(i + 1);
      if (e === 0x75) {
        for (let k = 2; k < 6; k += 1) {
          if (!isHexDigit(text.charCodeAt(i + k))) {
            return new Failure(i, 'invalid \\u escape in string (expected 4 hex digits)');
          }
        }
        i += 6;
      } else if (
        e === QUOTE ||
        e === BACKSLASH ||
        e === 0x2f ||
        e === 0x62 ||
        e === 0x66 ||
        e === 0x6e ||
        e === 0x72 ||
        e === 0x74
      ) {
        i += 2;
      } else {
        return new Failure(
          i,
          `invalid escape ${describeChar(text, i + 1)} after backslash in string`,
        );
      }
    } else {
      i += 1;
    }
  }
}

function scanNumber(text: string, start: number): number | Failure {
  let i = start;
  if (text.charCodeAt(i) === 0x2d) i += 1;
  const first = text.charCodeAt(i);
  if (first === 0x30) {
    i += 1;
  } else if (first >= 0x31 && first <= 0x39) {
    i = skipDigits(text, i);
  } else {
    return new Failure(i, `unexpected ${describeChar(text, i)} in number, expected a digit`);
  }
  if (text.charCodeAt(i) === 0x2e) {
    i += 1;
    if (!isDigit(text.charCodeAt(i))) {
      return new Failure(i, `unexpected ${describeChar(text, i)} in number, expected a digit`);
    }
    i = skipDigits(text, i);
  }
  const e = text.charCodeAt(i);
  if (e === 0x65 || e === 0x45) {
    i += 1;
    const sign = text.charCodeAt(i);
    if (sign === 0x2b || sign === 0x2d) i += 1;
    if (!isDigit(text.charCodeAt(i))) {
      return new Failure(i, `unexpected ${describeChar(text, i)} in number, expected a digit`);
    }
    i = skipDigits(text, i);
  }
  return i;
}

function skipDigits(text: string, from: number): number {
  let i = from;
  while (isDigit(text.charCodeAt(i))) i += 1;
  return i;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function describe(expect: Expect, stack: readonly number[]): string {
  const inObject = stack[stack.length - 1] === OPEN_OBJECT;
  switch (expect) {
    case 'value':
      return 'expected a JSON value';
    case 'valueOrClose':
      return "expected a JSON value or ']'";
    case 'key':
      return 'expected a property name in double quotes';
    case 'keyOrClose':
      return "expected a property name in double quotes or '}'";
    case 'colon':
      return "expected ':' after property name";
    case 'afterValue':
      if (stack.length === 0) return 'expected the end of input';
      return inObject
        ? "expected ',' or '}' after property value"
        : "expected ',' or ']' after array element";
  }
}

function describeChar(text: string, i: number): string {
  if (i >= text.length) return 'end of input';
  const c = text.codePointAt(i) ?? 0;
  if (c < 0x20 || c === 0x7f || (c >= 0xd800 && c <= 0xdfff)) return codePoint(c);
  return `character '${String.fromCodePoint(c)}'`;
}

function codePoint(c: number): string {
  return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i += 1) {
    if (text.charCodeAt(i) === 0x0a) {
      line += 1;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
