import { SigningError } from './signing.error';

/** The vendor name the seed's receivers are written against (`X-Corgea-Signature`). */
export const DEFAULT_VENDOR = 'Corgea';

/** Header names (`…Header`) and the User-Agent value for one vendor name. */
export interface VendorHeaders {
  readonly eventHeader: string;
  readonly deliveryHeader: string;
  readonly timestampHeader: string;
  readonly signatureHeader: string;
  readonly userAgent: string;
}

// RFC 9110 §5.6.2 tchar. The name lands inside a header name and a User-Agent product token,
// both of which are tokens, so anything else could split or inject a header.
const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VENDOR_MAX_LENGTH = 64;

/**
 * Builds `X-<Vendor>-Event`, `-Delivery`, `-Timestamp`, `-Signature` and the User-Agent
 * `<Vendor>-Webhooks/1.0`. The name is used as given (no case change).
 * @throws SigningError `INVALID_VENDOR` unless the name is a 1–64 character HTTP token.
 */
export function vendorHeaders(vendor: string = DEFAULT_VENDOR): VendorHeaders {
  if (vendor.length === 0 || vendor.length > VENDOR_MAX_LENGTH || !HTTP_TOKEN.test(vendor)) {
    throw new SigningError(
      'INVALID_VENDOR',
      `Invalid vendor name ${JSON.stringify(vendor)}: it must be 1–${VENDOR_MAX_LENGTH} ` +
        "characters of an HTTP token (letters, digits and !#$%&'*+-.^_`|~), because it becomes " +
        'part of header names such as X-<Vendor>-Signature and of the User-Agent',
    );
  }
  return {
    eventHeader: `X-${vendor}-Event`,
    deliveryHeader: `X-${vendor}-Delivery`,
    timestampHeader: `X-${vendor}-Timestamp`,
    signatureHeader: `X-${vendor}-Signature`,
    userAgent: `${vendor}-Webhooks/1.0`,
  };
}
