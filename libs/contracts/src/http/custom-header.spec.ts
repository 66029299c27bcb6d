import fc from 'fast-check';
import { customHeaderNameProblem, customHeaderValueProblem } from './custom-header';

// What Node's HTTP client refuses to send (lib/_http_common.js checkInvalidHeaderChar).
const NODE_REFUSES = /[^\t\x20-\x7e\x80-\xff]/;

describe('the custom header rule', () => {
  it('accepts a Jira token, a bearer token and Latin-1 text', () => {
    for (const value of ['s3cr3t-token', 'Bearer eyJhbGciOi.x_y', 'caf\u00e9', '\tspaced ']) {
      expect(customHeaderValueProblem('X-Token', value)).toBeUndefined();
    }
  });

  it('refuses control characters and code points above U+00FF, naming the field', () => {
    for (const value of ['a\r\nX-Injected: 1', 'a\u0000b', 'a\u007fb', 'a\u0001', 'snow \u2603']) {
      expect(customHeaderValueProblem('X-Token', value)).toEqual({
        rule: 'invalid_characters',
        message: expect.stringContaining('headers.X-Token'),
      });
    }
  });

  it('accepts exactly the values Node can send', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (value) => {
        const problem = customHeaderValueProblem('X-Token', value);
        expect(problem?.rule === 'invalid_characters').toBe(NODE_REFUSES.test(value));
      }),
    );
  });

  it('refuses values over 4096 UTF-8 bytes', () => {
    expect(customHeaderValueProblem('X-Big', 'a'.repeat(4096))).toBeUndefined();
    expect(customHeaderValueProblem('X-Big', '\u00e9'.repeat(2049))?.rule).toBe('max_length');
  });

  it('refuses names that are not tokens, sender headers and the vendor prefix', () => {
    expect(customHeaderNameProblem('X Bad', null)?.rule).toBe('invalid_token');
    expect(customHeaderNameProblem('Content-Length', null)?.rule).toBe('forbidden_header');
    expect(customHeaderNameProblem('webhook-signature', null)?.rule).toBe('forbidden_header');
    expect(customHeaderNameProblem('X-Corgea-Signature', 'Corgea')?.rule).toBe('forbidden_header');
    expect(customHeaderNameProblem('X-Corgea-Signature', null)).toBeUndefined();
    expect(customHeaderNameProblem('Authorization', 'Corgea')).toBeUndefined();
  });
});
