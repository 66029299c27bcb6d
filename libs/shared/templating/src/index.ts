export {
  clearTemplateCache,
  compileTemplate,
  renderTemplate,
  type CompiledTemplate,
  type RenderOptions,
  type TemplatePayload,
} from './compile-template';
export type { PlaceholderContext, TemplateIssue, TemplatePlaceholder } from './parse-template';
export {
  MAX_OUTPUT_BYTES,
  MAX_TEMPLATE_BYTES,
  TEMPLATE_CACHE_SIZE,
  TEMPLATE_PLACEHOLDERS,
  type TemplatePlaceholderRoot,
} from './template-limits';
export {
  TemplateRenderError,
  type TemplateErrorCode,
  type TemplatePosition,
} from './template.error';
export { validateTemplate, type TemplateValidationIssue } from './validate-template';
