import { type EventType, SAMPLE_ENVELOPES } from '@hookline/contracts';
import {
  renderTemplate,
  TEMPLATE_PLACEHOLDERS,
  type TemplateErrorCode,
  TemplateRenderError,
  validateTemplate,
} from '@hookline/shared-templating';

export interface TemplateProblem {
  readonly code: TemplateErrorCode;
  readonly message: string;
  /** Where in the template (one-based), when the problem is in the template itself. */
  readonly line: number | null;
  readonly column: number | null;
}

export interface BodyPreview {
  readonly eventType: EventType;
  /** The body the worker would send for the type's sample event; `null` when it cannot render. */
  readonly body: string | null;
  readonly error: TemplateProblem | null;
}

export interface BodyTemplatePreview {
  /** The placeholders a template may use. */
  readonly placeholders: readonly string[];
  /** What saving the template for these event types would refuse; empty when it may be saved. */
  readonly issues: readonly TemplateProblem[];
  readonly previews: readonly BodyPreview[];
}

const problem = (issue: {
  code: TemplateErrorCode;
  message: string;
  line?: number;
  column?: number;
}): TemplateProblem => ({
  code: issue.code,
  message: issue.message,
  line: issue.line ?? null,
  column: issue.column ?? null,
});

/**
 * Renders a custom body for the sample payload of each event type, with the rules a save applies
 * (the same `validateTemplate` the webhook aggregate runs) and the renderer the worker uses, at
 * the samples' own time (`{{time}}` is their timestamp), so a preview does not change. Pure.
 */
export function previewBodyTemplate(
  template: string,
  events: readonly EventType[],
): BodyTemplatePreview {
  const types = [...new Set(events)];
  const issues = validateTemplate(
    template,
    types.map((type) => SAMPLE_ENVELOPES[type]),
  ).map(problem);
  const previews = types.map((eventType): BodyPreview => {
    try {
      return {
        eventType,
        body: renderTemplate(template, SAMPLE_ENVELOPES[eventType]),
        error: null,
      };
    } catch (error) {
      if (!(error instanceof TemplateRenderError)) throw error;
      // A compile error's position is in the template; an invalid_json one is in the body.
      const inTemplate = error.code !== 'invalid_json' && error.position !== undefined;
      return {
        eventType,
        body: null,
        error: {
          code: error.code,
          message: error.message,
          line: inTemplate ? (error.position?.line ?? null) : null,
          column: inTemplate ? (error.position?.column ?? null) : null,
        },
      };
    }
  });
  return { placeholders: [...TEMPLATE_PLACEHOLDERS], issues, previews };
}
