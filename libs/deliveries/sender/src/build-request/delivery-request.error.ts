export type DeliveryRequestErrorCode = 'invalid_header' | 'invalid_time';

/**
 * A request that cannot be built from the webhook's configuration (the worker records it as a
 * failed delivery; retrying does not help). Messages never contain header values or secrets.
 * Template errors are the templating lib's `TemplateRenderError`, signing configuration errors
 * the signing lib's `SigningError`; both pass through unchanged.
 */
export class DeliveryRequestError extends Error {
  constructor(
    readonly code: DeliveryRequestErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DeliveryRequestError';
  }
}
