import Handlebars from 'handlebars';
import { MAX_TEMPLATE_BYTES, TEMPLATE_PLACEHOLDERS } from './template-limits';
import type { TemplateErrorCode } from './template.error';

/**
 * Where a placeholder sits in the JSON text around it: in value position (`"x": {{event_type}}`)
 * it becomes one JSON value, inside a JSON string literal (`"x": "a {{event_type}} b"`) it
 * becomes the escaped characters of its text.
 */
export type PlaceholderContext = 'value' | 'string';

/** A placeholder found in a template. */
export interface TemplatePlaceholder {
  /** The expression as written between the braces, trimmed: `payload.data.project.name`. */
  readonly expression: string;
  /** The property names it walks, starting with its root: `['payload', 'data', ...]`. */
  readonly path: readonly string[];
  readonly context: PlaceholderContext;
  /** One-based line and column of its opening `{{`. */
  readonly line: number;
  readonly column: number;
}

export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'placeholder'; readonly placeholder: TemplatePlaceholder };

/** Something wrong with a template, at a place in it. */
export interface TemplateIssue {
  readonly code: TemplateErrorCode;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
  readonly offset?: number;
}

export interface ParsedTemplate {
  readonly parts: readonly TemplatePart[];
  readonly placeholders: readonly TemplatePlaceholder[];
  readonly issues: readonly TemplateIssue[];
}

const ROOTS: ReadonlySet<string> = new Set(TEMPLATE_PLACEHOLDERS);

// Every name Object.prototype owns, plus `prototype`: a path through any of them reaches
// prototype machinery, never event data. Handlebars' runtime denies most of these too; refusing
// them at compile time gives a clear message instead of a silent empty value.
const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  'toString',
  'valueOf',
]);

const UNSUPPORTED_PREFIXES: Readonly<Record<string, string>> = {
  '#': 'block helpers ({{#…}}) are not supported',
  '^': 'inverse blocks ({{^…}}) are not supported',
  '/': 'block helpers ({{/…}}) are not supported',
  '>': 'partials ({{>…}}) are not supported',
  '!': 'comments ({{!…}}) are not supported: the template is JSON',
  '&': 'unescaped output ({{&…}}) is not supported: every value is JSON-escaped',
  '~': 'whitespace control ({{~…}}) is not supported',
  '*': 'decorators ({{*…}}) are not supported',
  '(': 'sub-expressions ({{(…)}}) are not supported',
};

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// JSON lexer states, tracked over the literal text only: are we inside a string literal, and
// are we in the middle of one of its escape sequences?
const OUTSIDE = 0;
const IN_STRING = 1;
const AFTER_BACKSLASH = 2;
const UNICODE_ESCAPE_FIRST = 3; // 3..6: that many minus 3 hex digits of \uXXXX read
const UNICODE_ESCAPE_LAST = 6;

/**
 * Splits a template into literal text and placeholders, and decides each placeholder's context.
 *
 * Placeholders are found here, not by the handlebars lexer, because JSON needs `}}}` to mean
 * "end of placeholder, then `}`" (`{"event": {{payload}}}`), where handlebars reads it as the
 * close of a triple-stash and fails. The expression between the braces is still parsed by
 * handlebars, so paths follow its grammar (`payload.data.[odd key]`, `payload/data`).
 */
export function parseTemplate(template: string): ParsedTemplate {
  const issues: TemplateIssue[] = [];
  const parts: TemplatePart[] = [];
  const placeholders: TemplatePlaceholder[] = [];
  const lines = new LineIndex(template);
  const issue = (code: TemplateErrorCode, offset: number, message: string): void => {
    const { line, column } = lines.at(offset);
    issues.push({
      code,
      message: `${message} (line ${line}, column ${column})`,
      line,
      column,
      offset,
    });
  };

  if (template.length > MAX_TEMPLATE_BYTES || Buffer.byteLength(template) > MAX_TEMPLATE_BYTES) {
    const bytes = Buffer.byteLength(template);
    issues.push({
      code: 'template_too_large',
      message: `template is ${bytes} bytes, over the ${MAX_TEMPLATE_BYTES}-byte limit`,
    });
    return { parts, placeholders, issues };
  }
  const surrogate = LONE_SURROGATE.exec(template);
  if (surrogate !== null) {
    issue('syntax_error', surrogate.index, 'template contains a lone UTF-16 surrogate');
  }

  let state = OUTSIDE;
  let at = 0;
  for (;;) {
    const open = template.indexOf('{{', at);
    const text = template.slice(at, open === -1 ? template.length : open);
    if (text !== '') {
      parts.push({ kind: 'text', text });
      state = advanceJsonState(state, text);
    }
    if (open === -1) break;

    if (template.charCodeAt(open + 2) === 0x7b) {
      issue(
        'unsupported_syntax',
        open,
        'triple-stash {{{…}}} is not supported: every value is JSON-escaped, write {{…}}',
      );
      const close = template.indexOf('}}}', open + 3);
      if (close === -1) break;
      at = close + 3;
      continue;
    }
    const close = template.indexOf('}}', open + 2);
    if (close === -1) {
      issue('syntax_error', open, 'placeholder opened with {{ is never closed with }}');
      break;
    }
    at = close + 2;

    const source = template.slice(open + 2, close);
    const expression = source.trim();
    const { line, column } = lines.at(open);
    const problem = checkExpression(source);
    if (problem !== undefined) {
      issue(problem.code, open, problem.message);
      continue;
    }
    const path = placeholderPath(source);
    if (path instanceof Problem) {
      issue(path.code, open, path.message);
      continue;
    }
    let context: PlaceholderContext;
    if (state === OUTSIDE) {
      context = 'value';
    } else if (state === IN_STRING) {
      context = 'string';
    } else {
      issue(
        'unsupported_syntax',
        open,
        `placeholder {{${expression}}} is inside a JSON escape sequence (right after a backslash)`,
      );
      continue;
    }
    const placeholder: TemplatePlaceholder = { expression, path, context, line, column };
    placeholders.push(placeholder);
    parts.push({ kind: 'placeholder', placeholder });
  }
  return { parts, placeholders, issues };
}

class Problem {
  constructor(
    readonly code: TemplateErrorCode,
    readonly message: string,
  ) {}
}

function checkExpression(source: string): Problem | undefined {
  const first = source.charAt(0);
  const unsupported = UNSUPPORTED_PREFIXES[first];
  if (unsupported !== undefined) return new Problem('unsupported_syntax', unsupported);
  const expression = source.trim();
  if (expression === '') return new Problem('syntax_error', 'empty placeholder {{}}');
  if (/^else\b/.test(expression)) {
    return new Problem('unsupported_syntax', '{{else}} is not supported: there are no blocks');
  }
  return undefined;
}

function placeholderPath(source: string): readonly string[] | Problem {
  const shown = `{{${source.trim()}}}`;
  let program: hbs.AST.Program;
  try {
    program = Handlebars.parseWithoutProcessing(`{{${source}}}`);
  } catch (error: unknown) {
    const detail = error instanceof Error ? lastLine(error.message) : String(error);
    const hint = /[./]\d/.test(source) ? ' (write array indexes as payload.data.items.[0])' : '';
    return new Problem('syntax_error', `invalid placeholder ${shown}: ${detail}${hint}`);
  }
  const [node, ...rest] = program.body;
  if (node === undefined || rest.length > 0 || node.type !== 'MustacheStatement') {
    return new Problem('syntax_error', `invalid placeholder ${shown}`);
  }
  const mustache = node as hbs.AST.MustacheStatement;
  if (mustache.params.length > 0 || mustache.hash !== undefined) {
    return new Problem(
      'unsupported_syntax',
      `${shown}: helpers are not supported; a placeholder is a plain path such as {{payload.data.project.name}}`,
    );
  }
  if (mustache.path.type !== 'PathExpression') {
    return new Problem('unsupported_syntax', `${shown}: a literal is not a placeholder`);
  }
  const path = mustache.path as hbs.AST.PathExpression;
  if (path.data) {
    return new Problem('unsupported_syntax', `${shown}: @-variables are not supported`);
  }
  const [root] = path.parts;
  if (path.depth > 0 || /^(this\b|\.)/.test(path.original) || root === undefined) {
    return new Problem('unsupported_syntax', `${shown}: this and ../ paths are not supported`);
  }
  const forbidden = path.parts.find((part) => FORBIDDEN_SEGMENTS.has(part));
  if (forbidden !== undefined) {
    return new Problem(
      'forbidden_path',
      `${shown}: "${forbidden}" is not allowed in a path (prototype access is off)`,
    );
  }
  if (!ROOTS.has(root)) {
    return new Problem(
      'unknown_placeholder',
      `${shown}: unknown placeholder "${root}"; known: ${TEMPLATE_PLACEHOLDERS.join(', ')}`,
    );
  }
  if (root !== 'payload' && path.parts.length > 1) {
    return new Problem(
      'unknown_placeholder',
      `${shown}: {{${root}}} has no fields; only {{payload.…}} paths go deeper`,
    );
  }
  return path.parts;
}

function advanceJsonState(start: number, text: string): number {
  let state = start;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (state === OUTSIDE) {
      if (c === 0x22) state = IN_STRING;
    } else if (state === IN_STRING) {
      if (c === 0x5c) state = AFTER_BACKSLASH;
      else if (c === 0x22) state = OUTSIDE;
    } else if (state === AFTER_BACKSLASH) {
      state = c === 0x75 ? UNICODE_ESCAPE_FIRST : IN_STRING;
    } else {
      state = state === UNICODE_ESCAPE_LAST ? IN_STRING : state + 1;
    }
  }
  return state;
}

function lastLine(message: string): string {
  const lines = message.split('\n');
  return lines[lines.length - 1] ?? message;
}

class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
      this.starts.push(i + 1);
    }
  }

  at(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - (this.starts[low] ?? 0) + 1 };
  }
}
