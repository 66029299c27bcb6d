import fc from 'fast-check';
import {
  compileTemplate,
  renderTemplate,
  TemplateRenderError,
  type TemplatePayload,
} from './index';
import { SCAN_COMPLETED_TIME, scanCompleted } from './scan-completed.fixture';

// Any code point, weighted towards the characters that break naive escaping: quotes,
// backslashes, every C0 control, U+2028/U+2029, lone surrogates of both halves, astral
// characters, and text that looks like template syntax.
const hostileChar = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)) },
  {
    weight: 2,
    arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '"',
      '\\',
      '\u2028',
      '\u2029',
      '\u007f',
      '{{',
      '}}',
      '{{{',
      '<',
      '&',
      "'",
      '/',
      '🚀',
      '\uFEFF',
      '{{payload}}',
    ),
  },
);
const hostileString = fc.string({ unit: hostileChar, maxLength: 40 });

// Event data with hostile strings in values and keys, nested.
const hostileData = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    tie('object'),
    fc.array(tie('value'), { maxLength: 4 }),
  ),
  object: fc
    .array(fc.tuple(hostileString, tie('value')), { maxLength: 5 })
    // fromEntries defines own properties, so a "__proto__" key stays data.
    .map((entries) => Object.fromEntries(entries)),
}));

function payloadWith(data: Record<string, unknown>): TemplatePayload {
  return { ...scanCompleted(), data };
}

// What JSON keeps of a value: -0 becomes 0, and so on.
function viaJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

function parseObject(body: string): Record<string, unknown> {
  const value: unknown = JSON.parse(body);
  expect(typeof value === 'object' && value !== null && !Array.isArray(value)).toBe(true);
  return value as Record<string, unknown>;
}

describe('rendering with hostile event data', () => {
  it('any string as project name round-trips exactly in value position, inside a string, as a key and inside {{payload}}', () => {
    const template =
      '{"text": "Scan of {{payload.data.project.name}} finished: {{payload.data.issues_found}} issues", ' +
      '"bare": {{payload.data.project.name}}, "keyed": {"{{payload.data.project.name}}": true}, ' +
      '"event": {{payload}}, "raw": "{{payload}}"}';
    fc.assert(
      fc.property(hostileString, (name) => {
        const payload = scanCompleted({ project: { id: 'project-uuid', name } });
        const body = parseObject(renderTemplate(template, payload));
        expect(body['text']).toBe(`Scan of ${name} finished: 12 issues`);
        expect(body['bare']).toBe(name);
        expect(Object.keys(body['keyed'] as object)).toEqual([name]);
        expect(body['event']).toEqual(payload);
        expect(JSON.parse(body['raw'] as string)).toEqual(payload);
      }),
      { numRuns: 500 },
    );
  });

  it('any strings as event_type, event_id and timestamp round-trip in value position and inside strings', () => {
    const template =
      '{"type": {{event_type}}, "id": {{event_id}}, "ts": {{timestamp}}, ' +
      '"text": "{{event_type}}|{{event_id}}|{{timestamp}}"}';
    fc.assert(
      fc.property(hostileString, hostileString, hostileString, (eventType, eventId, timestamp) => {
        const payload = { ...scanCompleted(), event_type: eventType, event_id: eventId, timestamp };
        const body = parseObject(renderTemplate(template, payload));
        expect(body).toEqual({
          type: eventType,
          id: eventId,
          ts: timestamp,
          text: `${eventType}|${eventId}|${timestamp}`,
        });
      }),
      { numRuns: 300 },
    );
  });

  it('any nested event data, hostile keys included, round-trips through {{payload}} as value and as string', () => {
    fc.assert(
      fc.property(hostileData.object, (data) => {
        const payload = payloadWith(data);
        const body = parseObject(
          renderTemplate('{"event": {{payload}}, "raw": "{{payload}}"}', payload),
        );
        expect(body['event']).toEqual(viaJson(payload));
        expect(JSON.parse(body['raw'] as string)).toEqual(viaJson(payload));
      }),
      { numRuns: 300 },
    );
  });

  it('any JSON value as event data round-trips through {{payload.data}}', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (data) => {
        const payload = { ...scanCompleted(), data };
        const body = parseObject(renderTemplate('{"data": {{payload.data}}}', payload));
        expect(body['data']).toEqual(viaJson(data));
      }),
      { numRuns: 300 },
    );
  });

  it('the rendered body never holds a raw control character, line separator or lone surrogate', () => {
    const template =
      '{"a": {{payload.data.project.name}}, "b": "{{payload.data.project.name}}", "c": {{payload}}}';
    fc.assert(
      fc.property(hostileString, hostileData.object, (name, rest) => {
        const body = renderTemplate(template, payloadWith({ ...rest, project: { name } }));
        // eslint-disable-next-line no-control-regex
        expect(body).not.toMatch(/[\u0000-\u001f\u2028\u2029]/);
        expect(body).not.toMatch(
          /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/,
        );
      }),
      { numRuns: 300 },
    );
  });
});

// Generated templates: random JSON object structures whose values are literals, bare
// placeholders, or strings mixing literal text with placeholders. Each comes with the value the
// rendered body must hold there.
interface Generated {
  readonly template: string;
  readonly expected: unknown;
}

const PLACEHOLDERS: Record<string, (payload: TemplatePayload) => unknown> = {
  payload: (p) => p,
  time: () => SCAN_COMPLETED_TIME,
  timestamp: (p) => p.timestamp,
  event_type: (p) => p.event_type,
  event_id: (p) => p.event_id,
  'payload.data.project.name': (p) => (p.data as { project: { name: unknown } }).project.name,
  'payload.data.issues_found': () => 12,
  'payload.data.project': (p) => (p.data as { project: unknown }).project,
  'payload.data.flag': () => true,
  'payload.data.missing': () => undefined,
};

function asStringContent(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

// Literal text inside a JSON string, with every "{" written as \u007b: a literal "{" right
// before a placeholder would otherwise read as a triple-stash "{{{".
const jsonStringBody = (s: string): string =>
  JSON.stringify(s).slice(1, -1).replace(/\{/g, '\\u007b');

function generatedTemplate(payload: TemplatePayload): fc.Arbitrary<Generated> {
  const name = fc.constantFrom(...Object.keys(PLACEHOLDERS));
  const bare = name.map((n) => ({
    template: `{{${n}}}`,
    expected: viaJson(PLACEHOLDERS[n]?.(payload) ?? null),
  }));
  const literal = fc
    .jsonValue({ maxDepth: 2 })
    .filter((v) => !JSON.stringify(v).includes('{{'))
    .map((v) => ({ template: JSON.stringify(v), expected: viaJson(v) }));
  const mixedString = fc
    .array(
      fc.oneof(
        hostileString.map((text) => ({ text })),
        name.map((n) => ({ n })),
      ),
      {
        maxLength: 5,
      },
    )
    .map((pieces) => ({
      template: `"${pieces.map((p) => ('text' in p ? jsonStringBody(p.text) : `{{${p.n}}}`)).join('')}"`,
      expected: pieces
        .map((p) => ('text' in p ? p.text : asStringContent(PLACEHOLDERS[p.n]?.(payload))))
        .join(''),
    }));
  const key = hostileString.filter((k) => k !== '__proto__');
  const tree = fc.letrec<{ node: Generated; object: Generated }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      bare,
      literal,
      mixedString,
      tie('object'),
      fc.array(tie('node'), { maxLength: 3 }).map((items) => ({
        template: `[${items.map((i) => i.template).join(', ')}]`,
        expected: items.map((i) => i.expected),
      })),
    ),
    object: fc
      .uniqueArray(fc.tuple(key, tie('node')), { selector: ([k]) => k, maxLength: 4 })
      .map((entries) => ({
        template: `{${entries.map(([k, v]) => `"${jsonStringBody(k)}": ${v.template}`).join(', ')}}`,
        expected: Object.fromEntries(entries.map(([k, v]) => [k, v.expected])),
      })),
  }));
  return tree.object;
}

describe('generated templates', () => {
  it('a template that is a JSON object once its placeholders are filled is proven at compile time, and renders exactly the expected object', () => {
    const arbitrary = hostileString.chain((name) => {
      const payload = scanCompleted({ project: { id: 'p', name }, flag: true });
      return generatedTemplate(payload).map((generated) => ({ payload, generated }));
    });
    fc.assert(
      fc.property(arbitrary, ({ payload, generated }) => {
        const compiled = compileTemplate(generated.template);
        expect(compiled.alwaysObject).toBe(true);
        expect(JSON.parse(compiled.render(payload))).toEqual(generated.expected);
      }),
      { numRuns: 500 },
    );
  });

  it('any template text either renders a JSON object or fails with a TemplateRenderError, never anything else', () => {
    const fragment = fc.oneof(
      fc.constantFrom(
        '{',
        '}',
        '[',
        ']',
        ':',
        ',',
        ' ',
        '"',
        '\\',
        '"a"',
        '1',
        'null',
        '{{',
        '}}',
        '{{{',
        '}}}',
        '{{payload}}',
        '{{time}}',
        '{{event_type}}',
        '{{payload.data.project.name}}',
        '{{payload.__proto__}}',
        '{{#if payload}}',
        '{{/if}}',
        '{{> p}}',
        '{{!c}}',
        '{{else}}',
        '{{this}}',
        '{{@root}}',
        '{{nope}}',
        '\\u',
        '\n',
      ),
      hostileChar,
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 25 }), hostileString, (fragments, name) => {
        const template = fragments.join('');
        const payload = scanCompleted({ project: { name } });
        let body: string;
        try {
          body = renderTemplate(template, payload);
        } catch (error: unknown) {
          expect(error).toBeInstanceOf(TemplateRenderError);
          return;
        }
        parseObject(body);
      }),
      { numRuns: 2_000 },
    );
  });
});
