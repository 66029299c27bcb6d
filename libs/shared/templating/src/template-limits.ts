/** Largest accepted template, in UTF-8 bytes. */
export const MAX_TEMPLATE_BYTES = 64 * 1024;

/** Largest rendered body, in UTF-8 bytes. */
export const MAX_OUTPUT_BYTES = 1024 * 1024;

/** How many compiled templates the process keeps (least recently used are dropped first). */
export const TEMPLATE_CACHE_SIZE = 500;

/** The placeholder roots a template may use. Only `payload` has fields (`payload.data.…`). */
export const TEMPLATE_PLACEHOLDERS = [
  'payload',
  'time',
  'timestamp',
  'event_type',
  'event_id',
] as const;

export type TemplatePlaceholderRoot = (typeof TEMPLATE_PLACEHOLDERS)[number];
