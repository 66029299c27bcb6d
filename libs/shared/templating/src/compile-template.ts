import Handlebars from 'handlebars';
import { excerptAround, findJsonSyntaxError } from './json-syntax';
import { toJsonStringContent, toJsonValue } from './json-escape';
import { LruCache } from './lru-cache';
import { parseTemplate, type TemplatePart, type TemplatePlaceholder } from './parse-template';
import { MAX_OUTPUT_BYTES, MAX_TEMPLATE_BYTES, TEMPLATE_CACHE_SIZE } from './template-limits';
import { TemplateRenderError } from './template.error';

/**
 * The default payload of a delivery (the event envelope). Declared here, not imported from the
 * contracts lib, so this util lib stays dependency-free; the contracts envelope type fits it.
 */
export interface TemplatePayload {
  readonly event_id: string;
  readonly event_type: string;
  /** ISO 8601. */
  readonly timestamp: string;
  readonly data: unknown;
}

export interface RenderOptions {
  /**
   * Unix seconds for `{{time}}`. Defaults to the envelope's `timestamp` in whole seconds; the
   * delivery worker may pass the attempt's timestamp header value instead.
   */
  readonly time?: number;
}

/** A template that compiled; render it as many times as needed. */
export interface CompiledTemplate {
  /** The placeholders it uses, in template order. */
  readonly placeholders: readonly TemplatePlaceholder[];
  /**
   * True when the template's JSON structure alone proves every render is a JSON object, so
   * rendering skips re-parsing its output. False for templates whose validity depends on the
   * values (a placeholder as an object key, a bare `{{payload}}`): each render is parsed.
   */
  readonly alwaysObject: boolean;
  /**
   * Renders the body for one delivery.
   * @throws TemplateRenderError `invalid_json`, `not_an_object`, `output_too_large`, `render_failed`
   */
  render(payload: TemplatePayload, options?: RenderOptions): string;
}

// Helper names only the compiler below emits; a template cannot call them because a placeholder
// is a bare path and its root must be one of the known placeholders.
const VALUE_HELPER = 'hooklineJsonValue';
const STRING_HELPER = 'hooklineJsonString';

// Bounds the output while it is built, so `{{payload}}` repeated thousands of times stops early
// instead of allocating gigabytes. Rendering is synchronous and helpers never re-enter it, so one
// counter per process is enough. A UTF-16 length over the byte limit is already over it in UTF-8.
let charsWritten = 0;

function track(text: string): string {
  charsWritten += text.length;
  if (charsWritten > MAX_OUTPUT_BYTES) {
    throw new TemplateRenderError(
      'output_too_large',
      `rendered body is over the ${MAX_OUTPUT_BYTES}-byte limit`,
    );
  }
  return text;
}

// An isolated environment: no built-in helpers (each, if, with, lookup, log, ...), no
// decorators, no partials. Only the two JSON writers exist.
const env = Handlebars.create();
for (const name of Object.keys(env.helpers)) env.unregisterHelper(name);
for (const name of Object.keys(env.decorators)) env.unregisterDecorator(name);
env.registerHelper(VALUE_HELPER, (value: unknown) => track(toJsonValue(value)));
env.registerHelper(STRING_HELPER, (value: unknown) => track(toJsonStringContent(value)));

const COMPILE_OPTIONS: CompileOptions = {
  knownHelpers: { [VALUE_HELPER]: true, [STRING_HELPER]: true },
  knownHelpersOnly: true,
  // Output escaping is the helpers' job, and it is JSON escaping, never HTML.
  noEscape: true,
  // A path missing from this event renders as null / "" rather than failing every delivery
  // of a template shared by several event types; save-time validation reports unknown paths.
  strict: false,
  data: false,
  compat: false,
  preventIndent: true,
};

const RUNTIME_OPTIONS: Handlebars.RuntimeOptions = Object.freeze({
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
  allowCallsToHelperMissing: false,
  allowedProtoProperties: {},
  allowedProtoMethods: {},
});

const cache = new LruCache<string, CompiledTemplate | TemplateRenderError>(TEMPLATE_CACHE_SIZE);

/**
 * Compiles a custom body template, or returns the cached compilation of the same text.
 * @throws TemplateRenderError `template_too_large`, `syntax_error`, `unsupported_syntax`,
 *   `unknown_placeholder`, `forbidden_path`
 */
export function compileTemplate(template: string): CompiledTemplate {
  const cached = cache.get(template);
  if (cached instanceof TemplateRenderError) throw cached;
  if (cached !== undefined) return cached;
  if (template.length > MAX_TEMPLATE_BYTES) {
    // Not cached: an oversized key would pin its memory in the cache.
    throw new TemplateRenderError(
      'template_too_large',
      `template is over the ${MAX_TEMPLATE_BYTES}-byte limit`,
    );
  }
  try {
    const compiled = buildTemplate(template);
    cache.set(template, compiled);
    return compiled;
  } catch (error: unknown) {
    if (error instanceof TemplateRenderError && error.code !== 'template_too_large') {
      cache.set(template, error);
    }
    throw error;
  }
}

/**
 * Renders `template` for one delivery (compiling it through the cache).
 * @throws TemplateRenderError with the reason; its message is meant for the delivery history.
 */
export function renderTemplate(
  template: string,
  payload: TemplatePayload,
  options?: RenderOptions,
): string {
  return compileTemplate(template).render(payload, options);
}

/** Empties the compiled-template cache (tests, or after changing nothing but memory pressure). */
export function clearTemplateCache(): void {
  cache.clear();
}

function buildTemplate(template: string): CompiledTemplate {
  const parsed = parseTemplate(template);
  const [first, ...more] = parsed.issues;
  if (first !== undefined) {
    const others = more.length > 0 ? ` (and ${more.length} more)` : '';
    const position =
      first.line !== undefined && first.column !== undefined
        ? { line: first.line, column: first.column, offset: first.offset }
        : undefined;
    throw new TemplateRenderError(first.code, `${first.message}${others}`, position);
  }

  const fn = env.compile(toHandlebarsProgram(parsed.parts), COMPILE_OPTIONS);
  // Handlebars compiles lazily on the first call; do it now so any compiler error surfaces at
  // compile time, not in the first delivery.
  invoke(fn, {});
  const alwaysObject = skeletonIsObject(parsed.parts);

  return {
    placeholders: parsed.placeholders,
    alwaysObject,
    render(payload: TemplatePayload, options?: RenderOptions): string {
      let output: string;
      try {
        output = invoke(fn, {
          payload,
          time: options?.time ?? unixSeconds(payload.timestamp),
          timestamp: payload.timestamp,
          event_type: payload.event_type,
          event_id: payload.event_id,
        });
      } catch (error: unknown) {
        if (error instanceof TemplateRenderError) throw error;
        const detail = error instanceof Error ? error.message : String(error);
        throw new TemplateRenderError(
          'render_failed',
          `a value in the event cannot be written as JSON: ${detail}`,
        );
      }
      checkSize(output);
      if (!alwaysObject) checkJsonObject(output);
      return output;
    },
  };
}

function invoke(fn: HandlebarsTemplateDelegate, context: object): string {
  charsWritten = 0;
  return fn(context, RUNTIME_OPTIONS);
}

function unixSeconds(timestamp: unknown): number | undefined {
  if (typeof timestamp !== 'string') return undefined;
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

function checkSize(output: string): void {
  // UTF-8 needs at most 3 bytes per UTF-16 unit: short outputs need no byte count.
  if (output.length * 3 <= MAX_OUTPUT_BYTES) return;
  const bytes = Buffer.byteLength(output);
  if (bytes > MAX_OUTPUT_BYTES) {
    throw new TemplateRenderError(
      'output_too_large',
      `rendered body is ${bytes} bytes, over the ${MAX_OUTPUT_BYTES}-byte limit`,
    );
  }
}

function checkJsonObject(output: string): void {
  let value: unknown;
  try {
    value = JSON.parse(output);
  } catch (error: unknown) {
    const syntax = findJsonSyntaxError(output);
    if (syntax === undefined) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new TemplateRenderError('invalid_json', `rendered body is not valid JSON: ${detail}`);
    }
    throw new TemplateRenderError(
      'invalid_json',
      `rendered body is not valid JSON: ${syntax.reason} at position ${syntax.offset} ` +
        `(line ${syntax.line}, column ${syntax.column}) near ${excerptAround(output, syntax.offset)}`,
      { line: syntax.line, column: syntax.column, offset: syntax.offset },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new TemplateRenderError(
      'not_an_object',
      `rendered body is ${kind}, but a webhook body must be a JSON object`,
    );
  }
}

/**
 * Proves, once per template, that every render is a JSON object: each value-position
 * placeholder always writes exactly one JSON value and each string-position one only escaped
 * string characters, so if the text with `null` in every value slot and nothing in every string
 * slot parses as an object, so does every render. JSON never allows a literal next to another
 * token without a separator, so a slot that accepts `null` accepts any value.
 */
function skeletonIsObject(parts: readonly TemplatePart[]): boolean {
  let skeleton = '';
  for (const part of parts) {
    if (part.kind === 'text') skeleton += part.text;
    else if (part.placeholder.context === 'value') skeleton += 'null';
  }
  try {
    const value: unknown = JSON.parse(skeleton);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

function toHandlebarsProgram(parts: readonly TemplatePart[]): hbs.AST.Program {
  const loc = (line = 1, column = 0): hbs.AST.SourceLocation => ({
    source: 'template',
    start: { line, column },
    end: { line, column },
  });
  const body = parts.map((part): hbs.AST.Statement => {
    if (part.kind === 'text') {
      // The typings declare ContentStatement.original as strip flags; at runtime it is the text.
      const content = {
        type: 'ContentStatement',
        value: part.text,
        original: part.text,
        loc: loc(),
      };
      return content as unknown as hbs.AST.ContentStatement;
    }
    const { placeholder } = part;
    const helper = placeholder.context === 'value' ? VALUE_HELPER : STRING_HELPER;
    const where = loc(placeholder.line, placeholder.column - 1);
    const mustache = {
      type: 'MustacheStatement',
      path: pathExpression([helper], helper, where),
      // The user's path, looked up by handlebars' runtime with its prototype-access checks.
      params: [pathExpression(placeholder.path, placeholder.path[0] ?? '', where)],
      hash: undefined,
      escaped: true,
      strip: { open: false, close: false },
      loc: where,
    };
    return mustache as unknown as hbs.AST.MustacheStatement;
  });
  return { type: 'Program', body, blockParams: [], loc: loc() } as hbs.AST.Program;
}

function pathExpression(
  parts: readonly string[],
  original: string,
  loc: hbs.AST.SourceLocation,
): hbs.AST.PathExpression {
  return { type: 'PathExpression', data: false, depth: 0, parts: [...parts], original, loc };
}
