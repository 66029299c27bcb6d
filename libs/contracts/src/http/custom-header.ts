import { HEADER_NAME_PATTERN } from '../json-schema/common.schema';

/**
 * The one rule for a webhook's custom headers: the config API checks it when a webhook is saved
 * and the delivery sender checks it again before a call, so a value the API accepts is one the
 * worker sends.
 */
export const CUSTOM_HEADER_LIMITS = {
  /** Longest value, in UTF-8 bytes as the client sends it. */
  valueMaxBytes: 4096,
} as const;

/** Why a custom header is refused: the webhook domain's field rule of the same name. */
export type CustomHeaderRule =
  'invalid_token' | 'forbidden_header' | 'invalid_characters' | 'max_length';

export interface CustomHeaderProblem {
  readonly rule: CustomHeaderRule;
  readonly message: string;
}

const NAME = new RegExp(HEADER_NAME_PATTERN);
const UTF8 = new TextEncoder();
// What an HTTP/1.1 field value may hold and Node's HTTP client sends as it is: tab, visible
// ASCII, space, and obs-text (U+0080–U+00FF, sent as one byte each). No other control character
// (CR and LF would inject headers) and nothing above U+00FF (Node refuses to send it).
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Headers the sender owns. Beyond the product list (Content-Type, Content-Length, Host,
 * Transfer-Encoding, Connection, User-Agent), the other hop-by-hop and framing headers: a user
 * value would break HTTP/1.1 framing or be dropped by the HTTP client.
 */
const SENDER_HEADERS: ReadonlySet<string> = new Set([
  'content-type',
  'content-length',
  'host',
  'transfer-encoding',
  'connection',
  'user-agent',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
  'expect',
]);
/** Standard Webhooks headers (`webhook-id`, `-timestamp`, `-signature`). */
const SENDER_HEADER_PREFIXES: readonly string[] = ['webhook-'];

/**
 * What is wrong with a custom header's name, or `undefined`. With `vendor` (e.g. `Corgea`),
 * `X-<Vendor>-*` names are refused too: the sender writes them.
 */
export function customHeaderNameProblem(
  name: string,
  vendor: string | null,
): CustomHeaderProblem | undefined {
  if (typeof name !== 'string' || !NAME.test(name)) {
    return {
      rule: 'invalid_token',
      message: `header name ${JSON.stringify(String(name).slice(0, 64))} must be an HTTP token (letters, digits and !#$%&'*+-.^_\`|~)`,
    };
  }
  const lower = name.toLowerCase();
  if (
    SENDER_HEADERS.has(lower) ||
    SENDER_HEADER_PREFIXES.some((prefix) => lower.startsWith(prefix)) ||
    (vendor !== null && lower.startsWith(`x-${vendor.toLowerCase()}-`))
  ) {
    return {
      rule: 'forbidden_header',
      message: `${name} is set by Hookline and cannot be overridden`,
    };
  }
  return undefined;
}

/** What is wrong with a custom header's value, or `undefined`. Never quotes the value. */
export function customHeaderValueProblem(
  name: string,
  value: string,
): CustomHeaderProblem | undefined {
  if (typeof value !== 'string' || !VALUE.test(value)) {
    return {
      rule: 'invalid_characters',
      message:
        `headers.${name} may hold only tab, space, visible ASCII and U+0080–U+00FF ` +
        '(no line breaks or other control characters)',
    };
  }
  if (UTF8.encode(value).length > CUSTOM_HEADER_LIMITS.valueMaxBytes) {
    return {
      rule: 'max_length',
      message: `headers.${name} must be at most ${CUSTOM_HEADER_LIMITS.valueMaxBytes} bytes (UTF-8)`,
    };
  }
  return undefined;
}
