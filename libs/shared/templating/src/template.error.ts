/**
 * Why a custom body template could not be compiled or rendered. Codes are stable: the delivery
 * worker records them in webhook history and the config API returns them at save time.
 *
 * - `template_too_large`: the template text is over {@link MAX_TEMPLATE_BYTES}.
 * - `syntax_error`: the template is not well-formed (unbalanced mustaches, lone surrogates, ...).
 * - `unsupported_syntax`: handlebars syntax outside the placeholder language (blocks, partials,
 *   helpers, triple-stash, `this`/`../`/`@root`, a placeholder inside a JSON escape sequence).
 * - `unknown_placeholder`: a placeholder whose root is not one of {@link TEMPLATE_PLACEHOLDERS},
 *   or (at save time) a `payload.*` path that no sample payload has.
 * - `forbidden_path`: a path segment that names prototype machinery (`__proto__`, `constructor`,
 *   `toString`, ...).
 * - `invalid_json`: the rendered body is not JSON; the message carries the position.
 * - `not_an_object`: the rendered body is JSON but not an object.
 * - `output_too_large`: the rendered body is over {@link MAX_OUTPUT_BYTES}.
 * - `render_failed`: a value could not be serialised (a BigInt, a cycle).
 */
export type TemplateErrorCode =
  | 'template_too_large'
  | 'syntax_error'
  | 'unsupported_syntax'
  | 'unknown_placeholder'
  | 'forbidden_path'
  | 'invalid_json'
  | 'not_an_object'
  | 'output_too_large'
  | 'render_failed';

/** A position in the template (compile errors) or in the rendered body (`invalid_json`). */
export interface TemplatePosition {
  /** One-based line. */
  readonly line: number;
  /** One-based column. */
  readonly column: number;
  /** Zero-based offset, when known. */
  readonly offset?: number;
}

/** The single error type thrown by compiling or rendering a template. */
export class TemplateRenderError extends Error {
  override readonly name = 'TemplateRenderError';

  constructor(
    readonly code: TemplateErrorCode,
    message: string,
    /** For compile errors: where in the template. For `invalid_json`: where in the body. */
    readonly position?: TemplatePosition,
  ) {
    super(message);
  }
}
