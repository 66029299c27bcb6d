import {
  clearTemplateCache,
  compileTemplate,
  MAX_OUTPUT_BYTES,
  MAX_TEMPLATE_BYTES,
  renderTemplate,
  TemplateRenderError,
  type TemplateErrorCode,
  type TemplatePayload,
} from './index';
import { SCAN_COMPLETED_TIME, scanCompleted } from './scan-completed.fixture';

function render(template: string, payload: TemplatePayload = scanCompleted()): unknown {
  return JSON.parse(renderTemplate(template, payload));
}

function failure(
  template: string,
  payload: TemplatePayload = scanCompleted(),
): TemplateRenderError {
  try {
    renderTemplate(template, payload);
  } catch (error: unknown) {
    if (error instanceof TemplateRenderError) return error;
    throw error;
  }
  throw new Error(`expected ${template} to fail`);
}

function expectFailure(template: string, code: TemplateErrorCode, message?: RegExp): void {
  const error = failure(template);
  expect(error.code).toBe(code);
  if (message !== undefined) expect(error.message).toMatch(message);
}

describe('the seed placeholders', () => {
  it('{{payload}} in value position inserts the whole default payload as a JSON object', () => {
    const payload = scanCompleted();
    expect(render('{"event": {{payload}}, "source": "hookline"}', payload)).toEqual({
      event: payload,
      source: 'hookline',
    });
  });

  it('{{time}} is the unix seconds of the event timestamp, as a JSON number', () => {
    expect(render('{"t": {{time}}}')).toEqual({ t: SCAN_COMPLETED_TIME });
  });

  it('{{time}} is the time the caller passes when it passes one', () => {
    const body = renderTemplate('{"t": {{time}}}', scanCompleted(), { time: 1767225600 });
    expect(JSON.parse(body)).toEqual({ t: 1767225600 });
  });

  it('{{timestamp}}, {{event_type}} and {{event_id}} in value position are quoted JSON strings', () => {
    expect(render('{"ts": {{timestamp}}, "type": {{event_type}}, "id": {{event_id}}}')).toEqual({
      ts: '2025-01-15T14:30:00.000Z',
      type: 'scan.completed',
      id: '550e8400-e29b-41d4-a716-446655440000',
    });
  });

  it('placeholders inside a JSON string insert their text without quotes', () => {
    const template =
      '{"text": "Scan {{event_type}} done at {{timestamp}} ({{time}}), event {{event_id}}"}';
    expect(render(template)).toEqual({
      text:
        'Scan scan.completed done at 2025-01-15T14:30:00.000Z (1736951400), ' +
        'event 550e8400-e29b-41d4-a716-446655440000',
    });
  });

  it('{{payload}} inside a JSON string inserts the payload as JSON text', () => {
    const payload = scanCompleted();
    const body = render('{"raw": "{{payload}}"}', payload) as { raw: string };
    expect(JSON.parse(body.raw)).toEqual(payload);
  });

  it('renders the Slack example with nested paths inside the string', () => {
    const template =
      '{"text": "Scan of {{payload.data.project.name}} finished: {{payload.data.issues_found}} issues"}';
    expect(render(template)).toEqual({ text: 'Scan of My Application finished: 12 issues' });
  });

  it('accepts `}}}` as the end of a placeholder followed by the closing brace', () => {
    const payload = scanCompleted();
    expect(render('{"event": {{payload}}}', payload)).toEqual({ event: payload });
  });

  it('allows spaces inside the braces', () => {
    expect(render('{"type": {{ event_type }}}')).toEqual({ type: 'scan.completed' });
  });

  it('a placeholder inside a key string becomes part of the key', () => {
    expect(render('{"on_{{event_type}}": true}')).toEqual({ 'on_scan.completed': true });
  });

  it('a bare placeholder as a key works too, its JSON string being a valid key', () => {
    expect(render('{ {{event_type}}: 1 }')).toEqual({ 'scan.completed': 1 });
  });
});

describe('paths into the payload', () => {
  const payload = scanCompleted({
    flags: { rescan: true, archived: false },
    labels: ['prod', 'pci'],
    'odd key': { 'with.dot': 'found' },
    nothing: null,
  });

  it('walks nested objects in value position, keeping each JSON type', () => {
    const template =
      '{"project": {{payload.data.project}}, "name": {{payload.data.project.name}}, ' +
      '"issues": {{payload.data.issues_found}}, "rescan": {{payload.data.flags.rescan}}, ' +
      '"labels": {{payload.data.labels}}, "nothing": {{payload.data.nothing}}}';
    expect(render(template, payload)).toEqual({
      project: { id: 'project-uuid', name: 'My Application' },
      name: 'My Application',
      issues: 12,
      rescan: true,
      labels: ['prod', 'pci'],
      nothing: null,
    });
  });

  it('writes numbers and booleans as text, null as nothing, objects as JSON inside strings', () => {
    const template =
      '{"s": "{{payload.data.issues_found}}|{{payload.data.flags.archived}}|' +
      '{{payload.data.nothing}}|{{payload.data.labels}}"}';
    expect(render(template, payload)).toEqual({ s: '12|false||["prod","pci"]' });
  });

  it('reaches array elements and odd keys with [segment] syntax, and accepts / as separator', () => {
    const template =
      '{"first": {{payload.data.labels.[0]}}, "odd": {{payload.data.[odd key].[with.dot]}}, ' +
      '"slash": {{payload/data/project/id}}}';
    expect(render(template, payload)).toEqual({
      first: 'prod',
      odd: 'found',
      slash: 'project-uuid',
    });
  });

  it('a path this event lacks renders null in value position and nothing inside a string', () => {
    const template = '{"a": {{payload.data.missing.deeper}}, "b": "[{{payload.data.missing}}]"}';
    expect(render(template, payload)).toEqual({ a: null, b: '[]' });
  });

  it('does not reach inherited properties: only the event’s own data', () => {
    const data = Object.create({ inherited: 'from the prototype' }) as Record<string, unknown>;
    data['own'] = 'mine';
    const event = { ...scanCompleted(), data };
    expect(render('{"a": {{payload.data.inherited}}, "b": {{payload.data.own}}}', event)).toEqual({
      a: null,
      b: 'mine',
    });
  });
});

describe('JSON escaping of event data', () => {
  const nasty = 'quote " backslash \\ newline \n tab \t cr \r nul \u0000 esc \u001b';

  it.each([
    ['quotes, backslashes and control characters', nasty],
    [
      'every control character U+0000–U+001F',
      String.fromCharCode(...Array.from({ length: 32 }, (_, i) => i)),
    ],
    ['emoji and astral characters', 'ship it 🚀 𝄞 👩🏽‍💻'],
    ['U+2028 and U+2029', 'line\u2028para\u2029end'],
    ['a lone high surrogate', 'broken \uD83D here'],
    ['a lone low surrogate', 'broken \uDE80 here'],
    ['HTML-significant characters, left alone', `<script>alert('x')</script> & "=" \``],
    ['text that looks like a placeholder', '{{payload}} {{{x}}} }}}'],
  ])('%s round-trip exactly in value position and inside strings', (_, name) => {
    const payload = scanCompleted({ project: { name } });
    const body = renderTemplate(
      '{"bare": {{payload.data.project.name}}, "text": "<{{payload.data.project.name}}>", ' +
        '"event": {{payload}}}',
      payload,
    );
    const parsed = JSON.parse(body) as { bare: string; text: string; event: TemplatePayload };
    expect(parsed.bare).toBe(name);
    expect(parsed.text).toBe(`<${name}>`);
    expect(parsed.event).toEqual(payload);
  });

  it('never writes raw control characters, line separators or lone surrogates', () => {
    // Low before high: two lone surrogates, not a pair.
    const name = `${nasty}\u2028\u2029\uDFFF\uD800`;
    const body = renderTemplate(
      '{"bare": {{payload.data.project.name}}, "text": "{{payload.data.project.name}}", "e": {{payload}}}',
      scanCompleted({ project: { name } }),
    );
    // eslint-disable-next-line no-control-regex
    expect(body).not.toMatch(/[\u0000-\u001f\u2028\u2029]/);
    expect(body).not.toMatch(/[\uD800-\uDFFF]/);
    expect(body).toContain('\\u2028');
    expect(body).toContain('\\ud800');
  });

  it('escapes as JSON, never as HTML: & < > stay as they are', () => {
    const body = renderTemplate(
      '{"text": "{{payload.data.project.name}}"}',
      scanCompleted({ project: { name: 'R&D <team>' } }),
    );
    expect(body).toBe('{"text": "R&D <team>"}');
  });

  it('keys in event data with quotes and control characters survive {{payload}}', () => {
    const data = JSON.parse(
      '{"a\\"b": 1, "new\\nline": {"\\u0000": "nul"}, "__proto__": {"x": 1}}',
    );
    const payload = { ...scanCompleted(), data };
    const parsed = JSON.parse(renderTemplate('{"e": {{payload}}}', payload)) as {
      e: { data: unknown };
    };
    expect(JSON.stringify(parsed.e.data)).toBe(JSON.stringify(data));
  });
});

describe('rendered bodies that are not a JSON object fail with a typed error', () => {
  it('invalid JSON names the reason and the position in the rendered body', () => {
    const error = failure('{"a": {{event_type}}');
    expect(error).toBeInstanceOf(TemplateRenderError);
    expect(error.code).toBe('invalid_json');
    expect(error.message).toBe(
      "rendered body is not valid JSON: unexpected end of input, expected ',' or '}' after " +
        'property value at position 22 (line 1, column 23) near "…a\\": \\"scan.completed\\""',
    );
    expect(error.position).toEqual({ line: 1, column: 23, offset: 22 });
  });

  it('a trailing comma is invalid JSON at the closing brace', () => {
    expectFailure('{"a": {{time}},}', 'invalid_json', /property name.*at position 17 /);
  });

  it('a raw newline inside a template string is invalid JSON', () => {
    expectFailure(
      '{"a": "line\nbreak {{event_type}}"}',
      'invalid_json',
      /unescaped control character U\+000A/,
    );
  });

  it.each([
    ['an array', '[{{payload}}]', /is an array/],
    ['a string', '{{event_type}}', /is a string/],
    ['a number', '{{time}}', /is a number/],
    ['null', 'null', /is null/],
  ])('%s is not_an_object', (_, template, message) => {
    expectFailure(template, 'not_an_object', message);
  });

  it('a bare {{payload}} is a JSON object, so it is accepted', () => {
    expect(render('{{payload}}')).toEqual(scanCompleted());
  });
});

describe('templates outside the placeholder language are rejected at compile time', () => {
  it.each<[string, string, TemplateErrorCode, RegExp]>([
    ['an unknown root', '{"a": {{foo}}}', 'unknown_placeholder', /unknown placeholder "foo"/],
    ['a field of time', '{"a": {{time.seconds}}}', 'unknown_placeholder', /has no fields/],
    ['a block helper', '{"a": {{#if payload}}1{{/if}}}', 'unsupported_syntax', /block helpers/],
    ['each', '{"a": [{{#each payload.data}}{{this}}{{/each}}]}', 'unsupported_syntax', /block/],
    [
      'a built-in helper',
      '{"a": {{lookup payload "data"}}}',
      'unsupported_syntax',
      /helpers are not supported/,
    ],
    ['the log helper', '{"a": {{log payload}}}', 'unsupported_syntax', /helpers are not supported/],
    [
      'a sub-expression',
      '{"a": {{(lookup payload "x")}}}',
      'unsupported_syntax',
      /sub-expressions/,
    ],
    ['a partial', '{"a": {{> other}}}', 'unsupported_syntax', /partials/],
    ['triple-stash', '{"a": {{{payload}}}}', 'unsupported_syntax', /triple-stash/],
    ['an ampersand', '{"a": {{&payload}}}', 'unsupported_syntax', /unescaped output/],
    ['a comment', '{"a": 1 {{! note }}}', 'unsupported_syntax', /comments/],
    ['whitespace control', '{"a": {{~payload~}}}', 'unsupported_syntax', /whitespace control/],
    ['this', '{"a": {{this.payload}}}', 'unsupported_syntax', /this and \.\.\//],
    ['a parent path', '{"a": {{../payload}}}', 'unsupported_syntax', /this and \.\.\//],
    ['@root', '{"a": {{@root.payload}}}', 'unsupported_syntax', /@-variables/],
    ['a literal', '{"a": {{"text"}}}', 'unsupported_syntax', /literal/],
    [
      'a backslash before a placeholder',
      '{"a": "\\{{event_type}}"}',
      'unsupported_syntax',
      /escape sequence/,
    ],
    ['a placeholder inside \\u', '{"a": "\\u00{{time}}"}', 'unsupported_syntax', /escape sequence/],
    ['an unclosed placeholder', '{"a": {{payload}', 'syntax_error', /never closed/],
    ['an empty placeholder', '{"a": {{}}}', 'syntax_error', /empty placeholder/],
    [
      'a bare numeric segment',
      '{"a": {{payload.data.labels.0}}}',
      'syntax_error',
      /invalid placeholder/,
    ],
    [
      'a lone surrogate in the template',
      '{"a": "\uD800"}',
      'syntax_error',
      /lone UTF-16 surrogate/,
    ],
  ])('%s', (_, template, code, message) => {
    expectFailure(template, code, message);
  });

  it('compile errors give the line and column of the placeholder', () => {
    const error = failure('{\n  "a": 1,\n  "b": {{nope}}\n}');
    expect(error.position).toMatchObject({ line: 3, column: 8 });
    expect(error.message).toContain('(line 3, column 8)');
  });

  it('says how many more problems the template has', () => {
    expect(failure('{"a": {{x}}, "b": {{y}}, "c": {{z}}}').message).toMatch(/\(and 2 more\)$/);
  });
});

describe('prototype access', () => {
  it.each([
    '{{payload.__proto__}}',
    '{{payload.[__proto__].polluted}}',
    '{{payload.constructor}}',
    '{{payload.data.constructor.constructor}}',
    '{{payload.data.toString}}',
    '{{payload.data.hasOwnProperty}}',
    '{{payload.prototype}}',
    '{{payload.__defineGetter__}}',
  ])('%s is a forbidden path', (placeholder) => {
    expectFailure(`{"a": ${placeholder}}`, 'forbidden_path', /prototype access is off/);
  });

  it('own __proto__ keys in event data are written as data and pollute nothing', () => {
    const data = JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"name": "x"}}');
    const body = renderTemplate('{"e": {{payload}}}', { ...scanCompleted(), data });
    expect(body).toContain('"__proto__":{"polluted":"yes"}');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('limits', () => {
  it(`accepts a template of exactly ${MAX_TEMPLATE_BYTES} bytes`, () => {
    const prefix = '{"a": "';
    const suffix = '"}';
    const template =
      prefix + 'x'.repeat(MAX_TEMPLATE_BYTES - prefix.length - suffix.length) + suffix;
    expect(Buffer.byteLength(template)).toBe(MAX_TEMPLATE_BYTES);
    expect(() => compileTemplate(template)).not.toThrow();
  });

  it('rejects a template one byte over the limit, counting UTF-8 bytes', () => {
    const ascii = `{"a": "${'x'.repeat(MAX_TEMPLATE_BYTES)}"}`;
    expect(() => compileTemplate(ascii)).toThrow(
      expect.objectContaining({ code: 'template_too_large' }),
    );
    // 40,000 characters but 80,000 bytes.
    const twoByte = `{"a": "${'é'.repeat(40_000)}"}`;
    expect(() => compileTemplate(twoByte)).toThrow(
      expect.objectContaining({ code: 'template_too_large' }),
    );
  });

  it(`rejects a rendered body over ${MAX_OUTPUT_BYTES} bytes`, () => {
    const payload = scanCompleted({ blob: 'x'.repeat(400_000) });
    expect(() =>
      renderTemplate('{"a": {{payload}}, "b": {{payload}}, "c": {{payload}}}', payload),
    ).toThrow(expect.objectContaining({ code: 'output_too_large' }));
    expect(() => renderTemplate('{"a": {{payload}}, "b": {{payload}}}', payload)).not.toThrow();
  });

  it('counts UTF-8 bytes, not characters, against the output limit', () => {
    // 360,000 characters of 3 bytes each: 1,080,000 bytes.
    const payload = scanCompleted({ project: { name: 'あ'.repeat(360_000) } });
    const error = failure('{"a": "{{payload.data.project.name}}"}', payload);
    expect(error.code).toBe('output_too_large');
    expect(error.message).toMatch(/is 1080\d{3} bytes/);
  });

  it('stops a template that repeats {{payload}} before building the whole body', () => {
    const template = `{"a": [${Array.from({ length: 2_000 }, () => '{{payload}}').join(',')}]}`;
    const payload = scanCompleted({ blob: 'x'.repeat(1_000) });
    const error = failure(template, payload);
    expect(error.code).toBe('output_too_large');
    // The message of the check made while writing, not the one made on the finished body.
    expect(error.message).toBe('rendered body is over the 1048576-byte limit');
  });
});

describe('values JSON cannot hold', () => {
  it('a BigInt in event data fails the render with render_failed', () => {
    expect(() =>
      renderTemplate('{"a": {{payload.data.n}}}', scanCompleted({ n: BigInt(1) })),
    ).toThrow(expect.objectContaining({ code: 'render_failed' }));
  });

  it('a cycle in event data fails the render with render_failed', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => renderTemplate('{"a": {{payload}}}', scanCompleted({ cyclic }))).toThrow(
      expect.objectContaining({ code: 'render_failed' }),
    );
  });

  it('NaN, Infinity and functions become null in value position', () => {
    const payload = scanCompleted({ nan: Number.NaN, inf: Infinity, fn: () => 1 });
    expect(
      render(
        '{"a": {{payload.data.nan}}, "b": {{payload.data.inf}}, "c": {{payload.data.fn}}}',
        payload,
      ),
    ).toEqual({ a: null, b: null, c: null });
  });
});

describe('the compile cache', () => {
  beforeEach(() => clearTemplateCache());

  it('returns the same compiled template for the same text', () => {
    const template = '{"a": {{event_type}}}';
    expect(compileTemplate(template)).toBe(compileTemplate(template));
  });

  it('remembers a template that failed to compile', () => {
    const template = '{"a": {{nope}}}';
    const first = failure(template);
    expect(failure(template)).toBe(first);
  });

  it('compiles afresh after the cache is cleared', () => {
    const template = '{"a": {{event_type}}}';
    const first = compileTemplate(template);
    clearTemplateCache();
    expect(compileTemplate(template)).not.toBe(first);
  });
});

describe('compiled templates', () => {
  it('list their placeholders with context and position', () => {
    const compiled = compileTemplate(
      '{"a": {{payload}},\n "b": "x {{payload.data.project.name}}"}',
    );
    expect(compiled.placeholders).toEqual([
      { expression: 'payload', path: ['payload'], context: 'value', line: 1, column: 7 },
      {
        expression: 'payload.data.project.name',
        path: ['payload', 'data', 'project', 'name'],
        context: 'string',
        line: 2,
        column: 10,
      },
    ]);
  });

  it('prove object output at compile time when the JSON structure alone guarantees it', () => {
    expect(compileTemplate('{"a": {{payload}}, "b": "{{event_type}}"}').alwaysObject).toBe(true);
    expect(compileTemplate('{ {{event_type}}: 1 }').alwaysObject).toBe(false);
    expect(compileTemplate('{{payload}}').alwaysObject).toBe(false);
    expect(compileTemplate('{"a": {{payload}}').alwaysObject).toBe(false);
  });
});
