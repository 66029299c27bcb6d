import { compileTemplate, type TemplatePayload } from './compile-template';
import { parseTemplate, type TemplateIssue, type TemplatePlaceholder } from './parse-template';
import { TemplateRenderError } from './template.error';

/** What a save-time check found wrong. `sampleIndex` names the sample a render failed for. */
export interface TemplateValidationIssue extends TemplateIssue {
  readonly sampleIndex?: number;
}

// Rendered when the caller has no samples, so structure errors (a missing brace) still show.
const PLACEHOLDER_SAMPLE: TemplatePayload = {
  event_id: '00000000-0000-0000-0000-000000000000',
  event_type: 'sample.event',
  timestamp: '1970-01-01T00:00:00.000Z',
  data: {},
};

/**
 * Checks a template before it is saved: it must be within the size limit, parse, use only the
 * known placeholders (no helpers, no prototype paths), reach a field that at least one sample
 * payload has for every `payload.…` path, and render a JSON object for every sample payload.
 * Pass the sample payloads of the event types the webhook subscribes to.
 *
 * @returns every problem found, empty when the template may be saved
 */
export function validateTemplate(
  template: string,
  samplePayloads: readonly TemplatePayload[],
): TemplateValidationIssue[] {
  const parsed = parseTemplate(template);
  if (parsed.issues.length > 0) return [...parsed.issues];

  const compiled = compileTemplate(template);
  const issues: TemplateValidationIssue[] = [];
  const samples = samplePayloads.length > 0 ? samplePayloads : [PLACEHOLDER_SAMPLE];
  samples.forEach((sample, sampleIndex) => {
    try {
      compiled.render(sample);
    } catch (error: unknown) {
      if (!(error instanceof TemplateRenderError)) throw error;
      issues.push({
        code: error.code,
        message: `sample ${sampleIndex} (${describeSample(sample)}): ${error.message}`,
        // The error's position is in the rendered body, not the template: it stays in the message.
        sampleIndex,
      });
    }
  });

  if (samplePayloads.length > 0) {
    const reported = new Set<string>();
    for (const placeholder of parsed.placeholders) {
      if (reported.has(placeholder.expression) || placeholder.path.length < 2) continue;
      if (samplePayloads.some((sample) => hasPath(sample, placeholder))) continue;
      reported.add(placeholder.expression);
      const types = [...new Set(samplePayloads.map(describeSample))].join(', ');
      issues.push({
        code: 'unknown_placeholder',
        message:
          `{{${placeholder.expression}}} is not in any sample payload (${types}) ` +
          `(line ${placeholder.line}, column ${placeholder.column})`,
        line: placeholder.line,
        column: placeholder.column,
      });
    }
  }
  return issues;
}

function describeSample(sample: TemplatePayload): string {
  return typeof sample.event_type === 'string' ? sample.event_type : 'unknown event type';
}

/** Own-property walk, the same rule handlebars' runtime uses with prototype access off. */
function hasPath(payload: TemplatePayload, placeholder: TemplatePlaceholder): boolean {
  let value: unknown = payload;
  for (const segment of placeholder.path.slice(1)) {
    if (typeof value !== 'object' || value === null) return false;
    if (!Object.prototype.hasOwnProperty.call(value, segment)) return false;
    value = (value as Record<string, unknown>)[segment];
  }
  return value !== undefined;
}
