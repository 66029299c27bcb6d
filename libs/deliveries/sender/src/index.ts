// Public API of @hookline/deliveries-sender. Anything not exported here is internal.

// Request building: body, headers, signatures
export {
  MASKED_VALUE,
  buildDeliveryRequest,
  type DeliveryRequest,
  type DeliveryRequestInput,
  type DeliveryWebhook,
} from './build-request/build-delivery-request';
export {
  DeliveryRequestError,
  type DeliveryRequestErrorCode,
} from './build-request/delivery-request.error';
export {
  SLACK_MAX_VALUE_LENGTH,
  buildSlackMessage,
  escapeSlackText,
  type SlackBlock,
  type SlackMessage,
} from './build-request/slack-message';

// SSRF address policy (connect-time guard)
export { isAddressAllowed, type AddressVerdict } from './egress-policy/address-policy';
export { parseAllowCidrs } from './egress-policy/allow-cidrs';
export { EgressAllowListError } from './egress-policy/egress-allow-list.error';

// The outbound HTTP call (axios, connect-time SSRF guard, total deadline, capped response)
export {
  HTTP_SENDER_DEFAULTS,
  HttpSender,
  type HttpResponseDetails,
  type HttpSendInput,
  type HttpSendResult,
  type HttpSenderOptions,
} from './http/http-sender';
export { EgressBlockedError } from './http/egress-blocked.error';
export { createGuardedLookup, type ResolveAll } from './http/guarded-lookup';
