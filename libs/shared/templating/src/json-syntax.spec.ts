import fc from 'fast-check';
import { excerptAround, findJsonSyntaxError } from './json-syntax';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

// Characters that matter to a JSON lexer, plus a few that never do.
const jsonishChar = fc.constantFrom(
  ...'{}[]:,"\\/ \t\n\r-+.0123456789eEtrufalsnbx\u0000\u001f\u2028\uD800é'.split(''),
);

// A valid JSON text with one character inserted, deleted or replaced.
const mutatedJson = fc
  .tuple(fc.json(), fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), jsonishChar)
  .map(([text, at, edit, char]) => {
    const i = text.length === 0 ? 0 : at % text.length;
    if (edit === 'insert') return text.slice(0, i) + char + text.slice(i);
    if (edit === 'delete') return text.slice(0, i) + text.slice(i + 1);
    return text.slice(0, i) + char + text.slice(i + 1);
  });

describe('findJsonSyntaxError', () => {
  it('finds an error exactly when JSON.parse rejects the text', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.json(), mutatedJson, fc.string({ unit: jsonishChar, maxLength: 30 })),
        (text) => {
          const error = findJsonSyntaxError(text);
          expect(error === undefined).toBe(parses(text));
          if (error !== undefined) {
            expect(error.offset).toBeGreaterThanOrEqual(0);
            expect(error.offset).toBeLessThanOrEqual(text.length);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it.each([
    ['{"a": 1,}', 8, "unexpected character '}', expected a property name in double quotes"],
    ['{"a" 1}', 5, "unexpected character '1', expected ':' after property name"],
    ['{"a": 1 "b": 2}', 8, "unexpected character '\"', expected ',' or '}' after property value"],
    ['[1, 2', 5, "unexpected end of input, expected ',' or ']' after array element"],
    ['{"a": "x\ny"}', 8, 'unescaped control character U+000A in string'],
    ['{"a": "\\q"}', 7, "invalid escape character 'q' after backslash in string"],
    ['{"a": "\\u12"}', 7, 'invalid \\u escape in string (expected 4 hex digits)'],
    ['{"a": 01}', 7, "unexpected character '1', expected ',' or '}' after property value"],
    ['{"a": -}', 7, "unexpected character '}' in number, expected a digit"],
    ['{"a": tru}', 9, "unexpected character '}' in literal true"],
    ['{} {}', 3, "unexpected character '{' after the end of the JSON value"],
    ['{"a": "open', 11, 'unterminated string'],
    ['', 0, 'unexpected end of input, expected a JSON value'],
  ])('%j fails at offset %i: %s', (text, offset, reason) => {
    expect(findJsonSyntaxError(text)).toMatchObject({ offset, reason });
  });

  it('counts lines and columns from one', () => {
    expect(findJsonSyntaxError('{\n  "a": 1,\n  "b": }')).toEqual({
      offset: 19,
      line: 3,
      column: 8,
      reason: "unexpected character '}', expected a JSON value",
    });
  });

  it('handles nesting far deeper than the call stack allows', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(199_999);
    expect(findJsonSyntaxError(deep)).toMatchObject({
      reason: expect.stringMatching(/end of input/),
    });
  });
});

describe('excerptAround', () => {
  it('quotes the text around the offset, marking cut ends', () => {
    expect(excerptAround('0123456789abcdefghij', 10, 3)).toBe('"…789abc…"');
    expect(excerptAround('a"b\n', 1)).toBe('"a\\"b\\n"');
  });
});
